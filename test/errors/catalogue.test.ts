import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { shopErrors } from '../../examples/shop/errors.ts';
import {
  defineErrors,
  type ErrorCatalogue,
  fromProblem,
  toProblem,
  WeftError,
  weftErrors,
} from '../../src/errors/index.ts';

/** Rows `| \`CODE\` | status | retryable | title |` of one `## section` of docs/errors.md. */
function documented(section: string): Map<string, { status: number; retryable: boolean; title: string }> {
  const text = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  const body = text.split(/^## /m).find((part) => part.startsWith(`${section}\n`));
  assert.ok(body, `docs/errors.md has a "## ${section}" section`);
  const rows = new Map<string, { status: number; retryable: boolean; title: string }>();
  for (const match of body.matchAll(/^\| `([A-Z0-9_]+)` \| (\d{3}) \| (yes|no) \| (.+?) \|$/gm)) {
    assert.ok(!rows.has(match[1]), `${match[1]} is documented twice`);
    rows.set(match[1], { status: Number(match[2]), retryable: match[3] === 'yes', title: match[4] });
  }
  return rows;
}

function assertMatchesDocs(catalogue: ErrorCatalogue, section: string): void {
  const docs = documented(section);
  assert.deepEqual(
    [...docs.keys()].sort(),
    Object.keys(catalogue).sort(),
    `codes of "${section}" match the docs`,
  );
  for (const [code, spec] of Object.entries(catalogue)) {
    assert.deepEqual(
      docs.get(code),
      { status: spec.status, retryable: spec.retryable, title: spec.title },
      code,
    );
  }
}

describe('error catalogue', () => {
  it("weft's codes match docs/errors.md", () => assertMatchesDocs(weftErrors, 'weft'));
  it("the shop's codes match docs/errors.md", () => assertMatchesDocs(shopErrors, 'shop'));

  it('never reuses a code between catalogues', () => {
    const overlap = Object.keys(shopErrors).filter((code) => code in weftErrors);
    assert.deepEqual(overlap, []);
  });

  it('rejects codes that are not SCREAMING_SNAKE_CASE and statuses that are not errors', () => {
    assert.throws(
      () => defineErrors({ notFound: { status: 404, title: 't', retryable: false } }),
      /SCREAMING_SNAKE_CASE/,
    );
    assert.throws(() => defineErrors({ OK: { status: 200, title: 't', retryable: false } }), /400\.\.599/);
  });
});

describe('problem documents', () => {
  it('carry the stable code, the catalogue title and a type URI', () => {
    const problem = toProblem(new WeftError('USER_NOT_FOUND', 'No user usr_9', { status: 404 }), {
      catalogue: shopErrors,
      instance: '/v1/users/usr_9',
    });
    assert.deepEqual(problem, {
      type: 'urn:weft:problem:user-not-found',
      title: 'The user does not exist',
      status: 404,
      detail: 'No user usr_9',
      code: 'USER_NOT_FOUND',
      instance: '/v1/users/usr_9',
    });
  });

  it('come back from the wire as the same typed error', () => {
    const sent = toProblem(new WeftError('VERSION_MISMATCH', 'changed'));
    const received = fromProblem(412, JSON.parse(JSON.stringify(sent)));
    assert.ok(WeftError.is(received));
    assert.equal(received.code, 'VERSION_MISMATCH');
    assert.equal(received.status, 412);
    assert.equal(received.message, 'changed');
  });

  it('turn a 5xx without a problem body into UPSTREAM_FAILED', () => {
    const error = fromProblem(500, '<html>oops</html>', 'users');
    assert.equal(error.code, 'UPSTREAM_FAILED');
    assert.equal(error.status, 502);
  });

  it('never show an unknown error to the caller', () => {
    const error = WeftError.from(new Error('password=hunter2 at db'));
    assert.equal(error.code, 'INTERNAL');
    assert.equal(toProblem(error).detail, 'Internal error');
  });

  it('are recognised across duplicate installs by a global brand', () => {
    const foreign = Object.create({ [Symbol.for('weft.error')]: true });
    assert.ok(WeftError.is(foreign));
    assert.ok(!WeftError.is(new Error('x')));
  });
});
