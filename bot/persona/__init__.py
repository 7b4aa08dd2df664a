"""Personas: the records the engine plays (records), the YAML reader and loader with their
friendly errors (yaml_reader, loader), the graph checks (graph), the guard conditions
(guards) and the set of loaded personas (library)."""
