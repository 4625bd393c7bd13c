"""Print a new VAPID key pair for push notifications, as the two lines to
put in the environment (or the ``.env`` file)."""

from django.core.management.base import BaseCommand

from notifications import push


class Command(BaseCommand):
    help = (
        "Génère une paire de clés VAPID pour les notifications push : ajoutez les deux lignes affichées à "
        "l'environnement (ou au fichier .env), puis redémarrez le site et la file de tâches."
    )

    def handle(self, *args, **options) -> None:
        public, private = push.generate_keys()
        self.stdout.write(f"WEBPUSH_VAPID_PUBLIC_KEY={public}")
        self.stdout.write(f"WEBPUSH_VAPID_PRIVATE_KEY={private}")
        self.stderr.write(
            "La clé privée signe chaque notification : gardez-la secrète. En changer désabonne tous les appareils "
            "(chaque famille réactive les notifications dans « Mon compte »)."
        )
