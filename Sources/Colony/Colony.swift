/// Colony's node runtime: nodes, processes, mailboxes, links, monitors.
public enum ColonyRuntime {}
