"""The runtime every messenger shares: the inbox, the one inbound pipeline, the dispatcher that runs
different chats concurrently and one chat in order, and the one web server for every webhook."""
