"""Operations: request ids, JSON logs, health and readiness, metrics, the task queue's
robustness (leases, mail retries) and the staff "Betrieb" page (issue 20)."""
