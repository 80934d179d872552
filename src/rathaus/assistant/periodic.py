# The assistant's only periodic job is a retention row: assistant.privacy (core.retention).
JOBS: list = []
