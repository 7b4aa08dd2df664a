"""The platform-neutral core: the conversation engine, the service every front end calls,
the events it emits and the records that cross layers. It knows nothing of any chat platform."""
