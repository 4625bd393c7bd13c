"""Recompute the staff list's counter (``DossierCount``) from the dossiers,
and say which rows were wrong."""

from django.core.management.base import BaseCommand

from workflows.services import dossier_counts_repair


class Command(BaseCommand):
    help = "Recompute the dossier counts of the staff list from the dossiers, and report what was fixed."

    def handle(self, *args, **options):
        fixed = dossier_counts_repair()
        for (school_id, procedure_id, directors, state), before, after in fixed:
            self.stdout.write(
                f"school {school_id}, procedure {procedure_id}, directors {'yes' if directors else 'no'}, "
                f"{state}: {before} -> {after}"
            )
        self.stdout.write(f"{len(fixed)} count(s) fixed." if fixed else "Counts are right: nothing to fix.")
