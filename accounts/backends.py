from axes.backends import AxesBackend


class ThrottledLoginBackend(AxesBackend):
    """django-axes' lockout check for every sign-in through a web request.

    Authentication without a request (management commands, the test
    client's ``login()``) is not a web sign-in and is not counted; every
    login page passes the request. It inherits ModelBackend's ``get_user``
    so that a session opened with it (``force_login`` picks the first
    backend) keeps its user; passwords are still checked by the next one."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
