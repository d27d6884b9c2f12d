# -*- coding: utf-8 -*-
# Copyright: Contributors to the outsystems.lifetime collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The collection's extra docs (docs/docsite), made from its guides in Markdown; the site's Sphinx configuration.

README.md and docs/*.md are the one source of the guides: GitHub, Galaxy and Automation Hub show them as they are.
antsibull-docs takes extra docs in reStructuredText only, so `make docs` converts them with this script and checks
that docs/docsite/ holds exactly what it makes (`make docs UPDATE_RST=1` writes it there).

The conversion knows the Markdown these files use (markdown-it-py, as GitHub renders it: headings, paragraphs,
lists, code blocks, tables, emphasis, links) and fails on anything else rather than drop it. Links become
references the docs build checks: to another guide (and its headings), to a role's page, to a module's page for a
code span naming a module. A relative link to a file that does not exist, or to a heading that does not exist,
fails the conversion.

Usage (from the repository root):
    python tests/utils/docsite.py extra-docs DEST   write DEST/extra-docs.yml and DEST/rst/*.rst
    python tests/utils/docsite.py configure SITE    make SITE/conf.py (antsibull-docs sphinx-init's) build offline
"""

from __future__ import annotations

import glob
import os
import re
import sys
import zlib

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLLECTION = 'outsystems.lifetime'
# antsibull-docs requires every label of an extra doc to start with this.
LABEL_PREFIX = 'ansible_collections.%s.docsite.' % COLLECTION
# The guides, in the order of the site's "Guides" section; any other docs/*.md follows, sorted.
FIRST_GUIDES = ('README.md', 'docs/real-lifetime.md', 'docs/awx.md')
# README.md's title is the collection's name, which the site's front page already is.
TITLES = {'README.md': 'Overview'}
# Sections that point into the repository's development files (benchmarks, DEVELOPERS.md), not a user's guide.
LEFT_OUT = {'README.md': ('More',)}
# The underline of each heading level (the guide's title is level 1).
UNDERLINES = {1: '=', 2: '-', 3: '^', 4: '"'}
# First words that make an unmarked code block shell commands (after NAME=value assignments), as
# tests/integration/test_doc_examples.py reads them; any other unmarked block is shown as plain text.
COMMAND_WORDS = {
    'ansible', 'ansible-playbook', 'ansible-doc', 'ansible-galaxy', 'ansible-builder', 'ansible-test', 'ansible-lint',
    'make', 'python', 'python3', 'pip', 'curl', 'git', 'export', 'cd', 'bash', 'sh', 'mkdir', 'cp', '#',
}
FENCE_LANGUAGES = {'yaml': 'yaml', 'yml': 'yaml', 'json': 'json', 'sh': 'shell', 'bash': 'shell', 'shell': 'shell',
                   'console': 'console', 'text': 'text', 'ini': 'ini', 'jinja': 'jinja'}
# reStructuredText inline markup must start after whitespace or one of these, and end before whitespace or one of
# the second; elsewhere an escaped space (which renders as nothing) separates it from the text.
MARKUP_MAY_FOLLOW = set(' \n-:/\'"<([{')
MARKUP_MAY_PRECEDE = set(' \n-.,:;!?\\/\'")]}>')
ESCAPED = re.compile(r'([\\*`_|])')

# Where antsibull-docs' pages point into Ansible's own documentation (sphinx-init's intersphinx_mapping).
ANSIBLE_DOCS = 'https://docs.ansible.com/projects/ansible/devel/'
# The labels of Ansible's documentation that antsibull-docs' templates refer to on this collection's pages, with
# where they are and their titles. A page that refers to another fails the Sphinx build ("undefined label"): add it.
ANSIBLE_LABELS = {
    'action_plugins': ('plugins/action.html#action-plugins', 'Action plugins'),
    'common_return_values': ('reference_appendices/common_return_values.html#common-return-values', 'Return Values'),
    'ansible_configuration_settings': ('reference_appendices/config.html#ansible-configuration-settings',
                                       'Ansible Configuration Settings'),
}
# ansible-core's plugin types with pages of their own on docs.ansible.com.
PLUGIN_TYPES = ('become', 'cache', 'callback', 'cliconf', 'connection', 'filter', 'httpapi', 'inventory', 'lookup',
                'netconf', 'shell', 'strategy', 'test', 'vars')


class ConversionError(Exception):
    """The Markdown uses something the conversion does not know, or a link points nowhere."""


def github_slug(text):
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r'[^\w\- ]', '', text.strip().lower()).replace(' ', '-')


def docname(source):
    """README.md is the overview; docs/real-lifetime.md is real_lifetime."""
    if source == 'README.md':
        return 'overview'
    return os.path.splitext(os.path.basename(source))[0].replace('-', '_')


def guides(root=REPO_ROOT):
    """The Markdown files the site shows, in order, relative to root."""
    found = ['README.md'] + sorted(os.path.relpath(path, root) for path in glob.glob(os.path.join(root, 'docs', '*.md')))
    return [name for name in FIRST_GUIDES if name in found] + [name for name in found if name not in FIRST_GUIDES]


def parse(text):
    return SyntaxTreeNode(MarkdownIt('commonmark').enable('table').parse(text))


def plain_text(node):
    """The text of an inline node as a reader sees it, markup left out."""
    if node.type in ('text', 'code_inline'):
        return node.content
    if node.type in ('softbreak', 'hardbreak'):
        return ' '
    return ''.join(plain_text(child) for child in node.children)


def escape(text):
    return ESCAPED.sub(r'\\\1', text)


def join_inline(pieces):
    """Join (is_markup, text) pieces, separating markup from adjacent text where reStructuredText needs it."""
    out = ''
    for index, (is_markup, text) in enumerate(pieces):
        if is_markup and out and out[-1] not in MARKUP_MAY_FOLLOW:
            out += '\\ '
        out += text
        following = pieces[index + 1][1][:1] if index + 1 < len(pieces) else ''
        if is_markup and following and following not in MARKUP_MAY_PRECEDE:
            out += '\\ '
    return out


def literal(content):
    if '``' in content or content != content.strip() or not content:
        raise ConversionError('a code span reStructuredText cannot show as it is: %r' % content)
    return '``%s``' % content


class Site:
    """Every guide, converted together: links between them are checked against each other's headings."""

    def __init__(self, root=REPO_ROOT):
        self.root = root
        self.sources = guides(root)
        self.trees = {}
        self.anchors = {}
        for source in self.sources:
            with open(os.path.join(root, source), encoding='utf-8') as handle:
                tree = parse(handle.read())
            self.trees[source] = tree
            self.anchors[source] = set(github_slug(plain_text(node.children[0])) for node in tree.children
                                       if node.type == 'heading')
        self.modules = set(os.path.splitext(os.path.basename(path))[0]
                           for path in glob.glob(os.path.join(root, 'plugins', 'modules', 'lifetime_*.py')))

    def extra_docs_yml(self):
        lines = ['---',
                 '# Made by tests/utils/docsite.py from README.md and docs/*.md: edit those, then run',
                 '# `make docs UPDATE_RST=1`. antsibull-docs lists these on the collection\'s page of the docs site.',
                 'sections:', '  - title: Guides', '    toctree:']
        for source in self.sources:
            lines.append('      - ref: %s' % docname(source))
            if source in TITLES:
                lines.append('        title: %s' % TITLES[source])
        return '\n'.join(lines) + '\n'

    def pages(self):
        """{docname: reStructuredText} of every guide."""
        return dict((docname(source), Page(self, source).render()) for source in self.sources)

    def write(self, dest):
        pages = self.pages()
        rst_dir = os.path.join(dest, 'rst')
        os.makedirs(rst_dir, exist_ok=True)
        for stale in glob.glob(os.path.join(rst_dir, '*.rst')):
            if os.path.splitext(os.path.basename(stale))[0] not in pages:
                os.remove(stale)
        for name, text in pages.items():
            with open(os.path.join(rst_dir, name + '.rst'), 'w', encoding='utf-8') as handle:
                handle.write(text)
        with open(os.path.join(dest, 'extra-docs.yml'), 'w', encoding='utf-8') as handle:
            handle.write(self.extra_docs_yml())


class Page:
    """One guide as reStructuredText."""

    def __init__(self, site, source):
        self.site = site
        self.source = source
        self.name = docname(source)

    def render(self):
        header = ['.. Made from %s by tests/utils/docsite.py: edit %s, then run `make docs UPDATE_RST=1`.'
                  % (self.source, self.source), '']
        blocks = []
        skipping = None
        for node in self.site.trees[self.source].children:
            if node.type == 'heading':
                level = int(node.tag[1])
                title = plain_text(node.children[0])
                if skipping is not None and level <= skipping:
                    skipping = None
                if title in LEFT_OUT.get(self.source, ()):
                    skipping = level
            if skipping is None:
                blocks.append(self.block(node))
        text = '\n\n'.join(block for block in blocks if block)
        return '\n'.join(header) + '\n' + '\n'.join(line.rstrip() for line in text.split('\n')) + '\n'

    def block(self, node):
        handler = getattr(self, 'block_' + node.type, None)
        if handler is None:
            raise ConversionError('%s: %s is not converted to reStructuredText' % (self.source, node.type))
        return handler(node)

    def blocks(self, nodes):
        return '\n\n'.join(self.block(node) for node in nodes)

    def block_heading(self, node):
        level = int(node.tag[1])
        if level == 1:
            label, title = LABEL_PREFIX + self.name, TITLES.get(self.source, plain_text(node.children[0]))
            text = escape(title)
        else:
            label = LABEL_PREFIX + self.name + '.' + github_slug(plain_text(node.children[0]))
            text = self.inline(node.children[0])
        if level not in UNDERLINES:
            raise ConversionError('%s: heading level %d is too deep' % (self.source, level))
        return '.. _%s:\n\n%s\n%s' % (label, text, UNDERLINES[level] * len(text))

    def block_paragraph(self, node):
        return self.inline(node.children[0])

    def block_bullet_list(self, node):
        return '\n\n'.join(self.list_item(item, '-') for item in node.children)

    def block_ordered_list(self, node):
        start = int(node.attrs.get('start', 1))
        return '\n\n'.join(self.list_item(item, '%d.' % (start + index)) for index, item in enumerate(node.children))

    def list_item(self, item, marker):
        indent = ' ' * (len(marker) + 1)
        body = self.blocks(item.children).split('\n')
        return '\n'.join([marker + ' ' + body[0]] + [(indent + line) if line else '' for line in body[1:]])

    def block_code_block(self, node):
        words = [word for word in node.content.split() if not re.match(r'^[A-Za-z_][A-Za-z0-9_]*=', word)]
        return self.code(node.content, 'shell' if words and words[0] in COMMAND_WORDS else 'text')

    def block_fence(self, node):
        info = node.info.strip().split()
        language = FENCE_LANGUAGES.get(info[0] if info else 'text')
        if language is None:
            raise ConversionError('%s: no reStructuredText language for a code block marked %s' % (self.source, info[0]))
        return self.code(node.content, language)

    @staticmethod
    def code(content, language):
        lines = content.rstrip('\n').split('\n')
        return '.. code-block:: %s\n\n%s' % (language, '\n'.join(('   ' + line) if line.strip() else '' for line in lines))

    def block_table(self, node):
        rows = []
        for part in node.children:
            rows.extend(part.children)
        lines = ['.. list-table::', '   :header-rows: 1', '   :widths: auto', '']
        for row in rows:
            for index, cell in enumerate(row.children):
                text = self.inline(cell.children[0]) if cell.children else ''
                lines.append(('   * - ' if index == 0 else '     - ') + text if text else ('   * -' if index == 0 else '     -'))
        return '\n'.join(lines)

    def inline(self, node):
        return join_inline(self.inline_pieces(node.children))

    def inline_pieces(self, children):
        pieces = []
        for child in children:
            if child.type == 'text':
                pieces.append((False, escape(child.content)))
            elif child.type == 'softbreak':
                pieces.append((False, '\n'))
            elif child.type == 'code_inline':
                pieces.append((True, self.code_span(child.content)))
            elif child.type in ('strong', 'em'):
                mark = '**' if child.type == 'strong' else '*'
                # reStructuredText does not nest inline markup: what is inside is shown as text.
                pieces.append((True, mark + escape(plain_text(child)) + mark))
            elif child.type == 'link':
                pieces.extend(self.link(child))
            else:
                raise ConversionError('%s: inline %s is not converted to reStructuredText' % (self.source, child.type))
        return pieces

    def code_span(self, content):
        module = re.match(r'^(?:%s\.)?(lifetime_\w+)$' % re.escape(COLLECTION), content)
        if module and module.group(1) in self.site.modules:
            return ':ansplugin:`%s <%s.%s#module>`' % (content, COLLECTION, module.group(1))
        return literal(content)

    def link(self, node):
        href = node.attrs['href']
        title = plain_text(node)
        if re.match(r'^https?://', href):
            return [(True, '`%s <%s>`__' % (escape(title).replace('<', '\\<'), href))]
        path, dummy, anchor = href.partition('#')
        target = os.path.normpath(os.path.join(os.path.dirname(self.source), path)) if path else self.source
        if target in self.site.trees:
            if anchor and anchor not in self.site.anchors[target]:
                raise ConversionError('%s: the link to %s points at no heading of %s' % (self.source, href, target))
            label = LABEL_PREFIX + docname(target) + ('.' + anchor if anchor else '')
            if title in (path, target):
                return [(True, ':ref:`%s`' % label)]
            return [(True, ':ref:`%s <%s>`' % (title.replace('<', '\\<'), label))]
        role = re.match(r'^roles/([a-z_]+)/README\.md$', target)
        if role and os.path.isdir(os.path.join(self.site.root, 'roles', role.group(1))) and not anchor:
            return [(True, ':ansplugin:`%s <%s.%s#role>`' % (title.replace('<', '\\<'), COLLECTION, role.group(1)))]
        if not os.path.exists(os.path.join(self.site.root, target)) or anchor:
            raise ConversionError('%s: the link to %s points at nothing the site or the collection has' % (self.source, href))
        # A file of the collection that is no page of the site: the link's text names it.
        pieces = self.inline_pieces(node.children)
        if title.strip().rstrip('/') not in (target, re.sub(r'/README\.md$', '', target)):
            pieces.append((False, ' ('))
            pieces.append((True, literal(target)))
            pieces.append((False, ' in the collection)'))
        return pieces


def _ansible_envvars(core):
    """The environment variables of ansible-core's configuration (config/base.yml), as its documentation lists them."""
    import yaml  # pylint: disable=import-outside-toplevel  # only the site's virtualenv has it
    with open(os.path.join(core, 'config', 'base.yml'), encoding='utf-8') as handle:
        settings = yaml.safe_load(handle)
    return set(env['name'] for setting in settings.values() if isinstance(setting, dict)
               for env in setting.get('env') or [] if isinstance(env, dict) and env.get('name'))


def ansible_inventory():
    """An intersphinx inventory (version 2) of the labels antsibull-docs' pages refer to in Ansible's documentation:
    ANSIBLE_LABELS, and every plugin of the installed ansible-core (M(ansible.builtin.set_stats) and the like)."""
    import ansible  # pylint: disable=import-outside-toplevel  # only the site's virtualenv has it
    core = os.path.dirname(ansible.__file__)
    entries = dict(ANSIBLE_LABELS)
    plugins = [('module', path) for path in glob.glob(os.path.join(core, 'modules', '*.py'))]
    for plugin_type in PLUGIN_TYPES:
        # Filters and tests are documented one per .yml; other plugins one per .py.
        pattern = '*.yml' if plugin_type in ('filter', 'test') else '*.py'
        plugins.extend((plugin_type, path) for path in glob.glob(os.path.join(core, 'plugins', plugin_type, pattern)))
    for plugin_type, path in plugins:
        name = os.path.splitext(os.path.basename(path))[0]
        if not name.startswith('_'):
            entries['ansible_collections.ansible.builtin.%s_%s' % (name, plugin_type)] = (
                'collections/ansible/builtin/%s_%s.html' % (name, plugin_type), '%s %s' % (name, plugin_type))
    body = ''.join('%s std:label -1 %s %s\n' % (label, uri, title) for label, (uri, title) in sorted(entries.items()))
    # Ansible's configuration environment variables (the inventory_cache fragment refers to ANSIBLE_CACHE_PLUGIN and its kin).
    body += ''.join('%s std:envvar -1 reference_appendices/config.html#envvar-$ -\n' % name for name in sorted(_ansible_envvars(core)))
    header = '# Sphinx inventory version 2\n# Project: Ansible\n# Version: devel\n' \
             '# The remainder of this file is compressed using zlib.\n'
    return header.encode('utf-8') + zlib.compress(body.encode('utf-8'))


def configure(site):
    """Make antsibull-docs sphinx-init's project build without a network (intersphinx reads a local inventory), and
    point the pages' "part of the collection" links at the site's own front page: the collection has no Galaxy page
    (galaxy.yml names no repository yet), which antsibull-docs links by default."""
    config = os.path.join(site, 'antsibull-docs.cfg')
    with open(config, encoding='utf-8') as handle:
        text = handle.read()
    linked = re.sub(r'(?m)^(\s*\*\s*=\s*)"https://galaxy\.ansible\.com/[^"]*"$', r'\1"index.html"', text)
    if linked == text:
        raise ConversionError('%s names no Galaxy page of the collection to replace: read it again' % config)
    with open(config, 'w', encoding='utf-8') as handle:
        handle.write(linked)
    inventory = os.path.join(os.path.abspath(site), 'ansible_devel.inv')
    with open(inventory, 'wb') as handle:
        handle.write(ansible_inventory())
    with open(os.path.join(site, 'conf.py'), 'a', encoding='utf-8') as handle:
        handle.write('\n# Added by tests/utils/docsite.py: the site is built without a network, so references into\n'
                     "# Ansible's documentation resolve through a local inventory, and nothing else is looked up.\n"
                     'intersphinx_mapping = {%r: (%r, %r)}\n' % ('ansible_devel', ANSIBLE_DOCS, inventory))


def main(argv):
    if len(argv) != 3 or argv[1] not in ('extra-docs', 'configure'):
        sys.stderr.write(__doc__.split('Usage', 1)[1])
        return 2
    try:
        if argv[1] == 'extra-docs':
            Site().write(argv[2])
        else:
            configure(argv[2])
    except ConversionError as error:
        sys.stderr.write('docsite.py: %s\n' % error)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
