"""One child, one record, part 3: the database keeps it so from now on."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('concerns', '0003_merge_duplicate_children'),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='child',
            constraint=models.UniqueConstraint(condition=models.Q(models.Q(('national_id', ''), _negated=True), ('duplicate_of__isnull', True)), fields=('municipality', 'national_id'), name='child_one_per_national_id'),
        ),
        migrations.AddConstraint(
            model_name='child',
            constraint=models.UniqueConstraint(condition=models.Q(('birth_date__isnull', False), ('duplicate_of__isnull', True), ('national_id', '')), fields=('municipality', 'name_key', 'birth_date'), name='child_one_per_name_and_birth_date'),
        ),
        migrations.AddConstraint(
            model_name='child',
            constraint=models.UniqueConstraint(condition=models.Q(('duplicate_of__isnull', True), ('expected_date__isnull', False), ('national_id', '')), fields=('municipality', 'name_key', 'expected_date'), name='child_one_per_name_and_expected_date'),
        ),
    ]
