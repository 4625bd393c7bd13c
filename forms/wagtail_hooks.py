"""The form builder's additions to the Wagtail page editor: the condition
picker (``static/forms/condition-picker.js``), with its words translated."""

from django.templatetags.static import static
from django.utils.html import format_html, json_script
from django.utils.translation import gettext as _
from wagtail import hooks


@hooks.register("insert_editor_js")
def condition_picker_js():
    texts = {
        "choose": _("— Choisissez une question —"),
        "chooseValue": _("— Choisissez une réponse —"),
        "missing": _("(introuvable)"),
    }
    return format_html('{}<script src="{}" defer></script>', json_script(texts, "condition-picker-texts"),
                       static("forms/condition-picker.js"))
