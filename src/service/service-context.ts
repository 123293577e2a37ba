import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyReply } from 'fastify';
import { DEADLINE_HEADER, type Deadline, type RequestContext } from '../context/index.ts';
import { WeftError } from '../errors/index.ts';

/**
 * The RequestContext of one inbound request. Built once per request with no closures: the
 * `signal` and `propagate` headers are made lazily, on first read, because most handlers never
 * call upstream; the object is itself the deadline's abort listener (`handleEvent`).
 */
export class ServiceContext implements RequestContext {
  readonly requestId: string;
  readonly deadline: Deadline | undefined;
  /** True once the deadline answered 504 for this request; the handler's result is then dropped. */
  timedOut = false;
  /** True once the answer entered onSend; from then on the deadline no longer answers. */
  answering = false;
  readonly #headers: IncomingHttpHeaders;
  readonly #reply: FastifyReply;
  #propagate: Readonly<Record<string, string>> | undefined;
  #controller: AbortController | undefined;
  #gone: unknown;

  constructor(
    requestId: string,
    deadline: Deadline | undefined,
    headers: IncomingHttpHeaders,
    reply: FastifyReply,
  ) {
    this.requestId = requestId;
    this.deadline = deadline;
    this.#headers = headers;
    this.#reply = reply;
    if (deadline !== undefined && !deadline.expired) deadline.signal.addEventListener('abort', this);
  }

  /** Aborts when the deadline passes or the client goes away. */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#gone !== undefined) this.#controller.abort(this.#gone);
      else if (this.deadline?.signal.aborted) this.#controller.abort(this.deadline.signal.reason);
    }
    return this.#controller.signal;
  }

  /** `traceparent`, `tracestate` and every `x-weft-*` header except the deadline (re-sent as remaining budget). */
  get propagate(): Readonly<Record<string, string>> {
    if (this.#propagate === undefined) {
      const out: Record<string, string> = {};
      for (const name of Object.keys(this.#headers)) {
        if (
          name === 'traceparent' ||
          name === 'tracestate' ||
          (name.startsWith('x-weft-') && name !== DEADLINE_HEADER)
        ) {
          const value = this.#headers[name];
          if (typeof value === 'string') out[name] = value;
        }
      }
      this.#propagate = Object.freeze(out);
    }
    return this.#propagate;
  }

  /** The deadline passed: answer 504 unless the answer is already on its way, then abort the work. */
  handleEvent(): void {
    const reply = this.#reply;
    if (!this.answering && !reply.sent && !reply.raw.headersSent && !reply.raw.destroyed) {
      this.timedOut = true;
      reply.send(new WeftError('DEADLINE_EXCEEDED', 'The deadline passed before the answer was ready'));
    }
    this.#controller?.abort(this.deadline?.signal.reason);
  }

  /** The client closed the connection before the answer: abort the work. */
  clientGone(): void {
    const reason = new Error('the client closed the connection');
    reason.name = 'AbortError';
    this.#gone = reason;
    this.#controller?.abort(reason);
    this.deadline?.dispose();
  }

  /** The answer is out: release the deadline timer. */
  dispose(): void {
    this.deadline?.dispose();
  }
}
