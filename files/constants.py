"""The kinds of file the portal accepts, and what each must contain."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FileKind(models.TextChoices):
    PDF = "pdf", _("PDF")
    JPEG = "jpg", _("Image JPEG")
    PNG = "png", _("Image PNG")


# What each allowed kind may be called and what its content must be.
FILE_KINDS = {
    FileKind.PDF.value: {"extensions": {"pdf"}, "mime": "application/pdf"},
    FileKind.JPEG.value: {"extensions": {"jpg", "jpeg"}, "mime": "image/jpeg"},
    FileKind.PNG.value: {"extensions": {"png"}, "mime": "image/png"},
}
# The largest file an editor may allow on a question.
MAX_FILE_SIZE_MB = 20
