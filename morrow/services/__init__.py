"""Use cases. Each public function is one transaction: validate, write, audit, queue notifications."""
