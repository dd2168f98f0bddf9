"""Real triple stores for the tests, installed by the project's own test setup.

- Oxigraph server (PyPI ``oxigraph``, in the ``test`` extra): :mod:`tests.engines.oxigraph`;
- OpenLink Virtuoso (Debian ``virtuoso-opensource``): :mod:`tests.engines.virtuoso`;
- Apache Jena TDB2 (Debian ``libapache-jena-java``, run with ``java -cp``): :mod:`tests.engines.jena`.

``scripts/install-test-deps.sh`` installs the Debian packages. Every server binds 127.0.0.1 on a
free port, starts once per session and is stopped by its PID. The session fixtures
(:mod:`tests.engines.fixtures`, imported by ``tests/conftest.py``):

``release_store``
    the built, reasoned graph plus the CIViC graph imported from ``../shared`` (embedded store).
``release_dump``
    folder holding ``sarcoma-graph.nq``, the release's N-Quads of ``release_store``.
``oxigraph_server``
    an empty writable ``oxigraph serve --union-default-graph``: an
    :class:`~tests.engines.oxigraph.OxigraphServer` (``query_url``, ``update_url``,
    ``store_url``, ``endpoint``).
``oxigraph_release``
    the release loaded and served read-only, exactly as the README says: an
    :class:`~tests.engines.answers.Endpoint` (``.url``, ``.select(sparql)``).
``virtuoso_server``
    a private Virtuoso: :class:`~tests.engines.virtuoso.Virtuoso` (``endpoint``, ``isql(sql)``
    as dba, ``load(folder, pattern, graph)``, ``sql_port``, ``http_port``). Shared by the
    session: write to graphs of your own.
``virtuoso_release``
    the release loaded into that server with ``ld_dir``/``rdf_loader_run``: its ``Endpoint``.
``jena_release``
    a TDB2 database loaded with ``tdb2.tdbloader``: :class:`~tests.engines.fixtures.JenaTdb2`
    (``classpath``, ``location``) for :func:`tests.engines.jena.tdbquery` and
    :func:`tests.engines.jena.tdbquery_batch`.

A missing engine skips its tests on a user's machine and fails them under ``CI=true``.
"""
