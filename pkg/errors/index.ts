/** The reconcile error family (AwsError is in pkg/aws). */
export { AnnotationError, ConfigError, RequeueAfter, TerminalError } from './reconcile-errors.ts';
