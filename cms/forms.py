"""The editors' form of a school."""

from wagtail.admin.forms import WagtailAdminModelForm


class SchoolForm(WagtailAdminModelForm):
    def clean_code(self) -> str:
        # Families type « 3ktukz » as well as « 3KTUKZ »: one spelling is stored.
        return "".join((self.cleaned_data.get("code") or "").split()).upper()
