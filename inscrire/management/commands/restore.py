"""``manage.py restore PATH``: load a backup into an empty, migrated database."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from inscrire.backup import RestoreError, restore_read


class Command(BaseCommand):
    help = ("Restaure une sauvegarde de « manage.py backup » dans une base vide (après « manage.py migrate ») "
            "et ses documents.")

    def add_arguments(self, parser):
        parser.add_argument("path", help="archive .tar.gz écrite par manage.py backup")

    def handle(self, *args, path, **options):
        try:
            manifest = restore_read(path=Path(path))
        except (RestoreError, FileNotFoundError, KeyError) as error:
            raise CommandError(f"Restauration impossible : {error}") from None
        rows = sum(manifest["counts"].values())
        files = sum(manifest["files"].values())
        self.stdout.write(self.style.SUCCESS(f"Restauration terminée : {rows} lignes, {files} fichiers, comptes vérifiés."))
