"""The worker: delivers what the outbox holds (urgent alerts) and can be run any number of times."""
