// The root error handler and the 404 handler: every failure leaves as `{ error: { code, message,
// details? } }` with a code from errors.ts. 4xx messages are ours or fastify's (safe to show);
// a 5xx never shows its message, stack or cause: those go to the log only.
import type { FastifyError, FastifyInstance } from 'fastify';
import { ControlPlaneError, ErrorCode } from '../errors.ts';
import type { ErrorCode as Code } from '../errors.ts';
import { StoreConflictError } from '../store/index.ts';

/** fastify's own error codes (fastify/lib/errors.js) that we answer with one of ours. */
const FASTIFY_CODES: Record<string, Code> = {
  FST_ERR_CTP_BODY_TOO_LARGE: ErrorCode.PAYLOAD_TOO_LARGE,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: ErrorCode.BAD_REQUEST,
  FST_ERR_CTP_EMPTY_JSON_BODY: ErrorCode.BAD_REQUEST,
  FST_ERR_CTP_INVALID_JSON_BODY: ErrorCode.BAD_REQUEST,
  FST_ERR_VALIDATION: ErrorCode.VALIDATION_FAILED,
};

const BY_STATUS: Record<number, Code> = {
  400: ErrorCode.BAD_REQUEST,
  404: ErrorCode.NOT_FOUND,
  405: ErrorCode.METHOD_NOT_ALLOWED,
  413: ErrorCode.PAYLOAD_TOO_LARGE,
  415: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
};

function toControlPlaneError(error: FastifyError | Error): ControlPlaneError {
  if (error instanceof ControlPlaneError) return error;
  if (error instanceof StoreConflictError) return new ControlPlaneError(ErrorCode.VERSION_CONFLICT, error.message);
  const fastify = error as FastifyError;
  const status = fastify.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    const code = FASTIFY_CODES[fastify.code] ?? BY_STATUS[status] ?? ErrorCode.BAD_REQUEST;
    // Say what is wrong with a body, not where the parser choked on it.
    const message = error instanceof SyntaxError || fastify.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ? 'the body is not valid JSON' : error.message;
    return new ControlPlaneError(code, message, { cause: error });
  }
  return new ControlPlaneError(ErrorCode.INTERNAL, undefined, { cause: error });
}

export function installErrorHandlers(app: FastifyInstance): void {
  // Route patterns by method, so a known path with an unsupported method gets 405 and Allow
  // (RFC 9110 15.5.6), not a 404 that would say the resource does not exist.
  const routes: { pattern: RegExp; methods: string[] }[] = [];
  app.addHook('onRoute', (route) => {
    const source = `^${route.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:\w+/g, '[^/]+')}/?$`;
    const methods = [route.method].flat();
    const existing = routes.find((r) => r.pattern.source === source);
    if (existing) existing.methods.push(...methods);
    else routes.push({ pattern: new RegExp(source), methods: [...methods] });
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const mapped = toControlPlaneError(error);
    if (mapped.statusCode >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: mapped.code, status: mapped.statusCode }, mapped.message);
    return reply.code(mapped.statusCode).type('application/json; charset=utf-8').send(mapped.toBody());
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const allowed = [...new Set(routes.filter((r) => r.pattern.test(path)).flatMap((r) => r.methods))].sort();
    if (allowed.length > 0) {
      const error = new ControlPlaneError(ErrorCode.METHOD_NOT_ALLOWED, `${request.method} is not allowed here; allowed: ${allowed.join(', ')}`);
      return reply.code(405).header('allow', allowed.join(', ')).send(error.toBody());
    }
    const error = new ControlPlaneError(ErrorCode.NOT_FOUND, `no route ${request.method} ${request.url.split('?')[0]}`);
    return reply.code(404).send(error.toBody());
  });
}
