"""The editors' forms of services: what a service's price and question must
be, checked where the editor types them (the brackets are the page's inline
rows, so only the whole form sees them together)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from wagtail.admin.forms import WagtailAdminModelForm

from forms.definition import items_by_name

MIN_BRACKETS = 3
# Questions whose answer can plan days: weekdays in a choice, « oui » for every day.
DAY_QUESTION_TYPES = {"multichoice", "choice", "yesno"}


class ProcedureServiceForm(WagtailAdminModelForm):
    def clean(self):
        cleaned = super().clean()
        formset = self.formsets.get("brackets")
        if formset is not None and not formset.is_valid():
            self._clean_question(cleaned)
            return cleaned  # each bad bracket has its own message
        rows = [form.cleaned_data for form in (formset.forms if formset is not None else [])
                if form.cleaned_data and not form.cleaned_data.get("DELETE")]
        price = cleaned.get("price")
        if "price" in self.errors:
            pass  # a malformed price has its own message
        elif price is not None and rows:
            self.add_error("price", _("Indiquez soit un prix unique, soit des tranches de quotient familial, "
                                      "pas les deux."))
        elif price is None and not rows:
            self.add_error("price", _("Indiquez le prix, ou au moins trois tranches de quotient familial."))
        elif rows:
            starts = [row["qf_from"] for row in rows if row.get("qf_from") is not None]
            if len(rows) < MIN_BRACKETS:
                self.add_error(None, _("Un prix selon le quotient familial compte au moins trois tranches."))
            elif len(set(starts)) != len(starts):
                self.add_error(None, _("Deux tranches commencent au même quotient familial."))
            elif starts and min(starts) != 0:
                self.add_error(None, _("La première tranche commence à un quotient familial de 0 €."))
            elif sum(1 for row in rows if row.get("is_default")) != 1:
                self.add_error(None, _("Cochez une tranche par défaut, et une seule : elle s'applique tant que "
                                       "le quotient familial de la famille n'est pas validé."))
        self._clean_question(cleaned)
        return cleaned

    def _clean_question(self, cleaned) -> None:
        question = (cleaned.get("question") or "").strip()
        cleaned["question"] = question
        procedure = cleaned.get("procedure")
        if not question or procedure is None:
            return
        item = items_by_name(procedure.specific.get_definition()).get(question)
        if item is None:
            self.add_error("question", _("Le formulaire de cette démarche n'a pas de question « %(name)s ».")
                           % {"name": question})
        elif item.get("type") not in DAY_QUESTION_TYPES:
            self.add_error("question", _("Liez un choix (les jours : lundi, mardi…) ou une question oui/non."))


class SchoolCalendarForm(WagtailAdminModelForm):
    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("first_day"), cleaned.get("last_day")
        formset = self.formsets.get("closures")
        if formset is None or not formset.is_valid() or not first or not last:
            return cleaned
        for form in formset.forms:
            row = form.cleaned_data
            if not row or row.get("DELETE") or not row.get("first_day"):
                continue
            end = row.get("last_day") or row["first_day"]
            if end < first or row["first_day"] > last:
                form.add_error("first_day", _("Cette période est en dehors de l'année scolaire (du premier au "
                                              "dernier jour de classe)."))
        return cleaned
