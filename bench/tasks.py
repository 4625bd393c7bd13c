from huey.contrib.djhuey import task


@task()
def bench_noop() -> None:
    """Huey's own floor: a task that does nothing (the drain's baseline)."""
