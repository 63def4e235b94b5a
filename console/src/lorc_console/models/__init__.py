"""The pages' models: plain rows in, frozen dataclasses out. No storage, no request, no clock
(``now`` comes in), so each is tested with rows a test writes."""
