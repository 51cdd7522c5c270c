import { describe, expect, it } from 'vitest';
import { PulsarError, PulsarServerError, SERVER_ERRORS, serverError } from './errors.ts';

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
});
