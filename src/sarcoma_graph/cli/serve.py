"""``sarcoma-graph serve``: the SPARQL endpoint over the built dataset (FastAPI + uvicorn)."""

from __future__ import annotations

import errno
import math
import os
import socket
from typing import Annotated

import typer

from sarcoma_graph.cli.common import BuildOption, QuietOption, RootOption, command, err, project
from sarcoma_graph.cli.store import StoreOption, dataset_store
from sarcoma_graph.errors import InputError
from sarcoma_graph.namespaces import SERVICE_GRAPH

_HELP = """Serve the built dataset: SPARQL 1.1 Protocol at /sparql, Graph Store at
/rdf-graph-store, the SPARQL editor at /, VoID, SPARQL examples, named queries as REST
routes and dereferenceable IRIs. Run `sarcoma-graph build` first, or give --store URL to serve
the graphs published to a SPARQL 1.1 server (`sarcoma-graph publish URL`) instead."""


def serve(
    root: RootOption = None,
    build_dir: BuildOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    backend: Annotated[str, typer.Option(
        help="Store backend: oxigraph (rdflib was retired; see --store).", metavar="oxigraph")
    ] = "oxigraph",
    timeout: Annotated[float, typer.Option(help="Query time limit in seconds (503 past it).")
                       ] = 30.0,
    max_results: Annotated[int, typer.Option(
        help="Most rows/triples in one answer (422 past it); 0 for no limit.", min=0)] = 100_000,
    max_body: Annotated[int, typer.Option(help="Largest request body in bytes (413 past it).",
                                         min=1)] = 10 * 1024 * 1024,
    query_memory: Annotated[int, typer.Option(
        help="Megabytes a query may allocate in its worker (503 past it); 0 for no limit.",
        min=0)] = 1024,
    max_answer_bytes: Annotated[int, typer.Option(
        help="Largest answer a worker sends back, in bytes (422 past it).", min=1)
    ] = 256 * 1024 * 1024,
    head_timeout: Annotated[float, typer.Option(
        help="Seconds a client has to send a request's headers (408 past it).")] = 20.0,
    body_timeout: Annotated[float, typer.Option(
        help="Seconds a request's body may pause between two reads (408 past it).")] = 30.0,
    send_timeout: Annotated[float, typer.Option(
        help="Each such period, a client must have taken its held answer at 1 KB/s, and at the "
        "answer's size over ten minutes (else the connection is aborted).")] = 30.0,
    max_connections: Annotated[int, typer.Option(
        help="Connections held open at once, all clients together; past it the oldest idle "
        "connection of the client holding the most is closed (0: three quarters of the file "
        "descriptor limit).", min=0)] = 0,
    forwarded_allow_ips: Annotated[str | None, typer.Option(
        "--forwarded-allow-ips", metavar="ADDRESSES",
        help="Proxies (comma-separated addresses or networks, e.g. 127.0.0.1,::1) whose "
        "X-Forwarded-For and X-Forwarded-Proto are believed; every per-client limit then counts "
        "the forwarded client. None by default: the connecting address is the client.")] = None,
    enable_updates: Annotated[bool, typer.Option(
        "--enable-updates", help="Accept SPARQL Update and Graph Store writes, with the "
        "bearer token from SARCOMA_GRAPH_UPDATE_TOKEN.")] = False,
    service_allow: Annotated[list[str] | None, typer.Option(
        "--service-allow", metavar="URL", help="An endpoint SERVICE may call (repeatable; none by default).")
    ] = None,
    base_url: Annotated[str | None, typer.Option(
        help="Public URL of this server (for sd:endpoint, void:sparqlEndpoint).")] = None,
    workers: Annotated[int, typer.Option(help="Query worker processes.", min=1)] = max(
        os.cpu_count() or 1, 2),
    cache_entries: Annotated[int, typer.Option(help="Answers kept in the cache (0: none).",
                                              min=0)] = 2048,
    service_graph: Annotated[bool, typer.Option(
        "--service-graph/--no-service-graph",
        help=f"Load VoID, the SPARQL examples and the prefixes into the store as the graph "
        f"{SERVICE_GRAPH} (as SIB's sparql-editor expects); never written into a --store.")
    ] = True,
    store_url: StoreOption = None,
    quiet: QuietOption = False,
) -> None:
    """Serve the SPARQL endpoint."""
    import uvicorn

    from sarcoma_graph import __version__
    from sarcoma_graph.catalogue import load_catalogue
    from sarcoma_graph.dataset import load_dataset, read_manifest
    from sarcoma_graph.describe import release_history
    from sarcoma_graph.plumbing.rdfio import folder_quads
    from sarcoma_graph.serve import Settings, create_app
    from sarcoma_graph.serve.access_log import bound_access_log
    from sarcoma_graph.serve.connection import guarded_protocol
    from sarcoma_graph.serve.pages.footer import cite_as
    from sarcoma_graph.serve.settings import TOKEN_VARIABLE
    from sarcoma_graph.serve.state import SavedDataset

    def settings() -> Settings:
        try:
            return Settings(
                timeout=timeout, max_results=max_results or None, max_body=max_body,
                query_memory=query_memory << 20, max_answer_bytes=max_answer_bytes,
                enable_updates=enable_updates,
                update_token=os.environ.get(TOKEN_VARIABLE) or None,
                service_allow=tuple(service_allow or ()), base_url=base_url, workers=workers,
                cache_entries=0 if store_url else cache_entries, etags=not store_url,
                service_graph=service_graph, listen_url=f"http://{host}:{port}",
                citation=cite_as(found.root / "CITATION.cff"),
                history=release_history(found.root / "CHANGELOG.md", upto=__version__))
        except ValueError as error:
            raise InputError(str(error)) from None

    found = project(root, build_dir)
    if store_url and enable_updates:
        raise InputError("--enable-updates with --store: write to the store itself "
                         "(`sarcoma-graph publish`, its own update endpoint)")
    chosen = settings()
    for name, seconds in (("--timeout", timeout), ("--head-timeout", head_timeout),
                          ("--body-timeout", body_timeout), ("--send-timeout", send_timeout)):
        if not (math.isfinite(seconds) and seconds > 0):  # nan passed "> 0" (probe r16 L4)
            raise InputError(f"{name} {seconds:g}: give a number of seconds above 0 (a limit "
                             "cannot be switched off)")
    listening = listen(host, port)  # before anything says "serving"
    saved = None
    if store_url:  # the query time limit applies to the store's answer too
        store = dataset_store(found, store_url, timeout + 5, graphs_ttl=5.0)
    else:
        before = read_manifest(found)
        store = load_dataset(found, backend)
        after = read_manifest(found)  # the same: the store holds that file (counted from it)
        if before is not None and before == after and before.sha256:
            saved = SavedDataset(found.dataset_path, before.sha256)
    queries = load_catalogue(found.queries_dir)
    shape_triples = [q.triple for q in folder_quads(found.shapes_dir)]
    if not quiet:
        source = store_url or found.dataset_path
        err.print(f"serving {store.count()} quads from {source} at http://{host}:{port}/sparql")
    # one notion of client for every limit (probe r16 M1): uvicorn rewrites the request's client
    # from proxy headers exactly when the connection layer keys its cap by them
    proxies = forwarded_allow_ips.strip() if forwarded_allow_ips else None
    config = uvicorn.Config(create_app(chosen, store, queries, saved, shape_triples), host=host, port=port,
                            log_level="warning" if quiet else "info", access_log=not quiet,
                            proxy_headers=proxies is not None, forwarded_allow_ips=proxies,
                            # no WebSocket route: an upgrade request is answered as plain HTTP
                            # (handed to uvicorn's WebSocket protocol, its connection never
                            # gave back its slot of the client's cap, probe r16 H8)
                            ws="none",
                            http=guarded_protocol(head_timeout, body_timeout, send_timeout,
                                                  proxies, max_connections))
    bound_access_log()  # after the Config, which configures uvicorn's loggers
    uvicorn.Server(config).run(sockets=[listening])


def listen(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port``; a taken port is one message with a hint."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(2048)
    except socket.gaierror as error:  # the host is the problem, not the port (probe r15 L3)
        sock.close()
        raise InputError(f"--host {host!r} is not an address this machine can listen on "
                         f"({error.strerror}); give an IP address such as 127.0.0.1 or ::1") from None
    except OSError as error:
        sock.close()
        if error.errno == errno.EADDRNOTAVAIL:
            raise InputError(f"--host {host} is not an address of this machine "
                             f"({error.strerror})") from None
        reason = "is already in use" if error.errno == errno.EADDRINUSE else \
            f"cannot be opened ({error.strerror})"
        raise InputError(f"port {port} on {host} {reason}; choose another with --port "
                         f"(e.g. --port {port + 1})") from None
    sock.set_inheritable(True)
    return sock


def register(app: typer.Typer) -> None:
    """Add the ``serve`` command."""
    app.command("serve", help=_HELP)(command(serve))
