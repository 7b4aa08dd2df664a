"""Personas: the records the engine plays (records), the YAML reader and loader with their
friendly errors (yaml_reader, loader, spelling), the graph checks (graph), the guard
conditions (guards), the set of loaded personas (library) and the editor schema built
from the loader's tables (schema)."""
