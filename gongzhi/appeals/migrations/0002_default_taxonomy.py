"""Seed the default appeal taxonomy (taxonomy.md) so new installations start with it.

Paths are written directly (historical models have no treebeard methods): siblings are ordered by
code, as Category.node_order_by does. Existing codes are left alone, so the seed never overwrites
what an administrator renamed.
"""

from django.db import migrations

# Frozen class defaults: (response amount, unit), (resolution amount, unit).
DEFAULTS = {
    "emergency": ((1, "hours"), (2, "hours")),
    "utilities": ((2, "hours"), (24, "hours")),
    "general": ((24, "hours"), (7, "workdays")),
    "complex": ((1, "workdays"), (15, "workdays")),
}


def seed(apps, schema_editor):
    from gongzhi.appeals.taxonomy import ATTRIBUTES, TAXONOMY, path_step

    Category = apps.get_model("appeals", "Category")
    Attribute = apps.get_model("appeals", "CategoryAttribute")
    if Category.objects.exists():
        return
    for top_index, (code, name, name_en, leaves) in enumerate(sorted(TAXONOMY), start=1):
        top_path = path_step(top_index)
        Category.objects.create(path=top_path, depth=1, numchild=len(leaves), code=code, name=name, name_en=name_en)
        for leaf_index, (leaf_code, leaf_name, leaf_en, klass, emergency, keywords) in enumerate(
            sorted(leaves), start=1
        ):
            (r_amount, r_unit), (s_amount, s_unit) = DEFAULTS[klass]
            Category.objects.create(
                path=top_path + path_step(leaf_index),
                depth=2,
                numchild=0,
                code=leaf_code,
                name=leaf_name,
                name_en=leaf_en,
                keywords=keywords,
                deadline_class=klass,
                response_amount=r_amount,
                response_unit=r_unit,
                resolution_amount=s_amount,
                resolution_unit=s_unit,
                is_emergency=emergency,
            )
    for code, attr_code, datatype, required, question, hint, values in ATTRIBUTES:
        category = Category.objects.get(code=code)
        order = Attribute.objects.filter(category=category).count() + 1
        Attribute.objects.create(
            category=category,
            code=attr_code,
            datatype=datatype,
            required=required,
            description=question,
            datatype_description=hint,
            order=order,
            values=[{"key": k, "name": n} for k, n in values],
        )


def unseed(apps, schema_editor):
    apps.get_model("appeals", "CategoryAttribute").objects.all().delete()
    apps.get_model("appeals", "Category").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("appeals", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
