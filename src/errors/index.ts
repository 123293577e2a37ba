export {
  defineErrors,
  type ErrorCatalogue,
  type ErrorSpec,
  type WeftErrorCode,
  weftErrors,
} from './catalogue.ts';
export { fromProblem, PROBLEM_CONTENT_TYPE, type Problem, problemType, toProblem } from './problem.ts';
export { type ProblemItem, WeftError, type WeftErrorOptions } from './weft-error.ts';
