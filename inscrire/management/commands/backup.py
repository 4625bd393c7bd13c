"""``manage.py backup [PATH]``: the database and every stored file in one archive."""

from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils import timezone

from inscrire.backup import backup_write


class Command(BaseCommand):
    help = "Sauvegarde la base de données et les documents (privés et publics) dans une archive .tar.gz."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="archive à écrire (par défaut var/backups/inscrire-<date>.tar.gz)")

    def handle(self, *args, path=None, **options):
        from django.conf import settings

        target = Path(path) if path else (
            Path(settings.DATA_DIR) / "backups" / f"inscrire-{timezone.now():%Y%m%d-%H%M%S}.tar.gz"
        )
        manifest = backup_write(path=target)
        rows = sum(manifest["counts"].values())
        files = sum(manifest["files"].values())
        self.stdout.write(self.style.SUCCESS(f"Sauvegarde écrite : {target} ({rows} lignes, {files} fichiers)."))
        self.stdout.write("Elle contient des données d'enfants : chiffrez-la (gpg --symmetric) et gardez-la hors du serveur web.")
