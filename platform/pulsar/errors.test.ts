import { describe, expect, it } from 'vitest';
import { asPulsarError, ClientErrorCode, PulsarError, PulsarServerError, SERVER_ERRORS, serverError } from './errors.ts';

describe('errors', () => {
  it('keeps the server error table aligned with wire values', () => {
    SERVER_ERRORS.forEach((e, i) => expect(e.value).toBe(i));
  });

  it('maps server errors to typed, classified errors', () => {
    const notReady = serverError(6, 'busy');
    expect(notReady).toBeInstanceOf(PulsarServerError);
    expect(notReady).toBeInstanceOf(PulsarError);
    expect([notReady.code, notReady.retriable, notReady.message]).toEqual(['ServiceNotReady', true, 'busy']);
    expect([serverError(4, '').code, serverError(4, '').retriable]).toEqual(['AuthorizationError', false]);
    expect(serverError(999, 'future').code).toBe('UnknownError');
  });

  it('wraps an unknown failure with the given code and keeps a PulsarError as it is', () => {
    const socket = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    const wrapped = asPulsarError(socket, ClientErrorCode.ConnectFailed, { retriable: true });
    expect(wrapped).toMatchObject({ code: 'ConnectFailed', retriable: true, message: 'read ECONNRESET', cause: socket });
    expect(asPulsarError('odd', ClientErrorCode.ProducerFailed)).toMatchObject({ code: 'ProducerFailed', retriable: false, message: 'odd' });
    const typed = serverError(6, 'busy');
    expect(asPulsarError(typed, ClientErrorCode.LookupFailed)).toBe(typed);
  });
});
