from rathaus.core.periodic import Job

from .services import purge_expired

JOBS = [Job("assistant.purge_conversations", purge_expired, every_seconds=600)]
