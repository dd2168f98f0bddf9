"""HTML for people: the layout every page shares (:mod:`.layout`), entity pages, the
generic triples page (VoID, service description), the named-query list, query results for a
browser, and the SVG pictures (forest plot, alteration chains). Every text and attribute goes
through ``html.escape``; only ``http(s)`` IRIs become links.
"""
