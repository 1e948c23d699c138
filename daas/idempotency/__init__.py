"""Idempotency keys: a client's `Idempotency-Key` on a POST that changes money or documents, kept per
caller for 24 hours with the answer the first request got, so a retry gets that answer again instead of
doing the work twice (Stripe's semantics). `rules` says what a key may be and how a request is
fingerprinted (pure); `models` the `idempotency_keys` table; `services` claims, finishes, releases and
forgets keys (flush, never commit). The steps that commit are daas.usecases.idempotency; the HTTP side
(the header, replaying an answer) is daas.api.idempotency."""
