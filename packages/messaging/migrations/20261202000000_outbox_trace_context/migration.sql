-- The trace an event belongs to: the W3C trace context (traceparent, tracestate) of the
-- transaction that wrote the row, as the propagator wrote it, e.g.
-- {"traceparent": "00-<trace id>-<span id>-01"}. The relay's publish span continues it.
-- NULL when nothing was traced (tracing off, or rows written before this column).
ALTER TABLE "outbox" ADD COLUMN IF NOT EXISTS "trace_context" JSONB;
