# The procedure page (EnrolmentFormPage) leaves cms for workflows, the app
# that owns procedures: removed from cms's state only. Its table, its rows
# and its revisions stay; workflows 0005 takes them over.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("cms", "0007_file_validity"),
        ("inscrire_forms", "0003_submission_page_is_a_wagtail_page"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="EnrolmentFormPage")],
            database_operations=[],
        ),
    ]
