"""Wires the operations layer into django-tasks' signals."""

from django.dispatch import receiver
from django_tasks.signals import task_finished, task_started

from . import queue


@receiver(task_started)
def _task_started(sender, task_result, **kwargs):
    queue.task_started(task_result)


@receiver(task_finished)
def _task_finished(sender, task_result, **kwargs):
    queue.task_finished(task_result)
