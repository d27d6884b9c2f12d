# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""tests/utils/docsite.py: the Markdown guides as the docs site's extra docs, and the references it checks.

`make docs` runs it on README.md and docs/*.md and builds the site; these tests give it small guides of their own.
"""

import os
import textwrap

import pytest

from tests.utils import docsite

PREFIX = 'ansible_collections.outsystems.lifetime.docsite.'


def make_root(tmp_path, readme, guide='# A guide\n\n## 2. Connect\n\nText.\n'):
    (tmp_path / 'README.md').write_text(textwrap.dedent(readme), encoding='utf-8')
    (tmp_path / 'docs').mkdir()
    (tmp_path / 'docs' / 'a-guide.md').write_text(textwrap.dedent(guide), encoding='utf-8')
    (tmp_path / 'plugins' / 'modules').mkdir(parents=True)
    (tmp_path / 'plugins' / 'modules' / 'lifetime_deployment.py').write_text('', encoding='utf-8')
    (tmp_path / 'roles' / 'promote').mkdir(parents=True)
    (tmp_path / 'examples').mkdir()
    (tmp_path / 'examples' / 'README.md').write_text('# Examples\n', encoding='utf-8')
    return str(tmp_path)


def pages(tmp_path, readme, **kwargs):
    return docsite.Site(make_root(tmp_path, readme, **kwargs)).pages()


def test_a_link_to_a_file_that_does_not_exist_fails_naming_the_guide_and_the_link(tmp_path):
    with pytest.raises(docsite.ConversionError) as error:
        pages(tmp_path, '# x\n\nSee [the guide](docs/no-such-guide.md).\n')

    assert 'README.md: the link to docs/no-such-guide.md points at nothing' in str(error.value)


def test_a_link_to_a_heading_the_other_guide_does_not_have_fails(tmp_path):
    with pytest.raises(docsite.ConversionError) as error:
        pages(tmp_path, '# x\n\nSee [connect](docs/a-guide.md#3-connect).\n')

    assert 'docs/a-guide.md#3-connect points at no heading of docs/a-guide.md' in str(error.value)


def test_a_link_to_a_heading_of_another_guide_refers_to_the_label_of_that_heading(tmp_path):
    converted = pages(tmp_path, '# x\n\nSee [how to connect](docs/a-guide.md#2-connect).\n')

    assert ':ref:`how to connect <%sa_guide.2-connect>`' % PREFIX in converted['overview']
    assert '.. _%sa_guide.2-connect:\n\n2. Connect\n----------\n' % PREFIX in converted['a_guide']
    # Every label starts with the prefix antsibull-docs requires of extra docs.
    assert '.. _%sa_guide:\n\nA guide\n=======\n' % PREFIX in converted['a_guide']


def test_a_link_whose_text_is_the_guide_path_shows_the_guide_title(tmp_path):
    converted = pages(tmp_path, '# x\n\n[docs/a-guide.md](docs/a-guide.md) has more.\n')

    assert ':ref:`%sa_guide` has more.' % PREFIX in converted['overview']


def test_a_link_to_a_role_readme_becomes_the_role_page_and_a_module_name_its_module_page(tmp_path):
    converted = pages(tmp_path, '# x\n\n- [`outsystems.lifetime.promote`](roles/promote/README.md) runs `lifetime_deployment`, not `lifetime_other`.\n')

    assert (':ansplugin:`outsystems.lifetime.promote <outsystems.lifetime.promote#role>` runs '
            ':ansplugin:`lifetime_deployment <outsystems.lifetime.lifetime_deployment#module>`, not ``lifetime_other``.') \
        in converted['overview']


def test_a_link_to_a_file_of_the_collection_that_is_no_page_keeps_its_text_and_names_the_file(tmp_path):
    converted = pages(tmp_path, '# x\n\nApply [the examples](examples/README.md).\n')

    assert 'Apply the examples (``examples/README.md`` in the collection).' in converted['overview']


def test_markup_next_to_a_word_is_separated_by_an_escaped_space_and_special_characters_are_escaped(tmp_path):
    converted = pages(tmp_path, '# x\n\nSet `tag_modified`s to *maybe*: a_b | c.\n')

    assert 'Set ``tag_modified``\\ s to *maybe*: a\\_b \\| c.' in converted['overview']


def test_readme_leaves_out_its_more_section_up_to_the_next_heading_of_its_level(tmp_path):
    readme = '''\
        # outsystems.lifetime

        ## Requirements

        Python.

        ## More

        - benchmarks

        ### Still more

        DEVELOPERS.md

        ## License

        GPL.
        '''
    converted = pages(tmp_path, readme)['overview']

    assert 'Overview\n========' in converted
    assert 'Requirements' in converted and 'License' in converted
    assert 'More' not in converted and 'benchmarks' not in converted and 'DEVELOPERS' not in converted


def test_lists_code_blocks_and_tables_become_their_restructuredtext_forms(tmp_path):
    readme = '''\
        # x

        1. Install:

               ansible-galaxy collection install x.tar.gz

        2. Run:

           ```yaml
           - hosts: localhost
           ```

        | Option | Meaning |
        | --- | --- |
        | `url` | where |
        '''
    converted = pages(tmp_path, readme)['overview']

    assert '1. Install:\n\n   .. code-block:: shell\n\n      ansible-galaxy collection install x.tar.gz\n' in converted
    assert '2. Run:\n\n   .. code-block:: yaml\n\n      - hosts: localhost\n' in converted
    assert '.. list-table::\n   :header-rows: 1\n   :widths: auto\n\n   * - Option\n     - Meaning\n   * - ``url``\n     - where\n' \
        in converted


def test_markdown_the_conversion_does_not_know_fails_instead_of_being_dropped(tmp_path):
    with pytest.raises(docsite.ConversionError) as error:
        pages(tmp_path, '# x\n\n> a quote\n')

    assert 'README.md: blockquote is not converted' in str(error.value)


def test_extra_docs_yml_lists_readme_first_under_its_own_title_then_the_guides(tmp_path):
    site = docsite.Site(make_root(tmp_path, '# x\n'))
    site.write(str(tmp_path / 'out'))

    with open(os.path.join(str(tmp_path / 'out'), 'extra-docs.yml'), encoding='utf-8') as handle:
        text = handle.read()
    assert text.endswith('      - ref: overview\n        title: Overview\n      - ref: a_guide\n')
    assert sorted(os.listdir(str(tmp_path / 'out' / 'rst'))) == ['a_guide.rst', 'overview.rst']


def test_writing_again_removes_the_page_of_a_guide_that_is_gone(tmp_path):
    root = make_root(tmp_path, '# x\n')
    out = str(tmp_path / 'out')
    docsite.Site(root).write(out)
    os.remove(os.path.join(root, 'docs', 'a-guide.md'))

    docsite.Site(root).write(out)

    assert os.listdir(os.path.join(out, 'rst')) == ['overview.rst']
