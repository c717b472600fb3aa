import { describe, expect, it } from 'vitest';
import { newTraceparent } from './tracing';

describe('tracing', () => {
  it('makes W3C traceparent headers', () => {
    const { header, traceId } = newTraceparent();
    expect(header).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(header.split('-')[1]).toBe(traceId);
  });
});
