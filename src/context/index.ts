export { DEADLINE_HEADER, Deadline } from './deadline.ts';
export { currentContext, REQUEST_ID_HEADER, type RequestContext, runWithContext } from './request-context.ts';
