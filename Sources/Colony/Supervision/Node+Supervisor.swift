public import ErlangTerm

extension Node {
    /// Starts a supervisor (OTP's `supervisor:start_link/3` when `link` is given) and its
    /// children, in order; returns when all of them have started.
    ///
    /// ```swift
    /// let supervisor = try await node.startSupervisor(
    ///     strategy: .restForOne,
    ///     children: [
    ///         .server(id: "store", Store()),
    ///         .server(id: "cache", Cache()),
    ///     ],
    ///     name: .local("storage_sup"))
    /// ```
    ///
    /// A child that fails to start stops the ones already started (in reverse order) and the
    /// supervisor. When more than `maxRestarts` restarts happen within `maxSeconds`, the
    /// supervisor stops all its children (reverse start order) and exits with reason `shutdown`,
    /// so that its own supervisor acts on it. It stops its children the same way when it is
    /// stopped: by ``stopServer(_:reason:timeout:)``, or by an exit signal from the process it
    /// is linked to through `link`.
    ///
    /// - Parameters:
    ///   - strategy: which children to restart when one must be (default `oneForOne`).
    ///   - children: the initial children, in start order; ids must be unique.
    ///   - maxRestarts: restarts allowed within `maxSeconds` (default 3, as OTP).
    ///   - maxSeconds: the intensity window in seconds (default 5, as OTP).
    ///   - name: a name to register the supervisor under.
    ///   - link: the parent to link to: a process, or the supervisor that runs this one.
    /// - Returns: the supervisor's pid; talk to it through ``SupervisorRef``.
    /// - Throws: ``GenServerStartError/stopped(_:)`` with OTP's reason:
    ///   `{shutdown, {failed_to_start_child, Id, Reason}}`, `{start_spec, {duplicate_child_name, Id}}`,
    ///   `{supervisor_data, {invalid_intensity | invalid_period, N}}`;
    ///   ``GenServerStartError/alreadyStarted(_:)`` when the name is taken.
    @discardableResult
    public func startSupervisor(
        strategy: SupervisorStrategy = .oneForOne, children: [ChildSpec], maxRestarts: Int = 3, maxSeconds: Int = 5,
        name: ServerName? = nil, link: PID? = nil
    ) async throws -> PID {
        let server = SupervisorServer(
            strategy: strategy, children: children, maxRestarts: maxRestarts, maxSeconds: maxSeconds)
        return try await startServer(server, name: name, link: link)
    }

    /// Starts a dynamic supervisor (Elixir's `DynamicSupervisor`): one_for_one, no children at
    /// first; ``DynamicSupervisorRef/startChild(_:)`` adds them. The restart intensity works as
    /// for ``startSupervisor(strategy:children:maxRestarts:maxSeconds:name:link:)``; when the
    /// supervisor stops, all its children are stopped at once and it waits for each.
    ///
    /// - Parameters:
    ///   - maxChildren: the most children at once; `nil` (the default) for no limit.
    ///   - maxRestarts: restarts allowed within `maxSeconds` (default 3).
    ///   - maxSeconds: the intensity window in seconds (default 5).
    ///   - name: a name to register the supervisor under.
    ///   - link: the parent to link to.
    /// - Returns: the supervisor's pid; talk to it through ``DynamicSupervisorRef``.
    /// - Throws: ``GenServerStartError`` as ``startSupervisor(strategy:children:maxRestarts:maxSeconds:name:link:)``.
    @discardableResult
    public func startDynamicSupervisor(
        maxChildren: Int? = nil, maxRestarts: Int = 3, maxSeconds: Int = 5, name: ServerName? = nil,
        link: PID? = nil
    ) async throws -> PID {
        let server = DynamicSupervisorServer(maxChildren: maxChildren, maxRestarts: maxRestarts, maxSeconds: maxSeconds)
        return try await startServer(server, name: name, link: link)
    }
}

extension ChildSpec {
    /// A child that is itself a supervisor: a subtree. Its start closure starts the supervisor
    /// linked to the parent; when it gives up (exits `shutdown`), the parent restarts it per its
    /// own strategy (a `permanent` child, the default) or lets it go (`transient`, `temporary`).
    ///
    /// - Parameters:
    ///   - id: the child's id in the parent.
    ///   - strategy: the inner supervisor's strategy.
    ///   - children: the inner supervisor's children.
    ///   - maxRestarts: the inner supervisor's restart intensity.
    ///   - maxSeconds: the inner supervisor's intensity window in seconds.
    ///   - name: a name to register the inner supervisor under.
    ///   - restart: how the parent treats its exit (default `permanent`).
    ///   - shutdown: how the parent stops it (default `infinity`, as OTP's for supervisors).
    public static func supervisor(
        id: Term, strategy: SupervisorStrategy = .oneForOne, children: [ChildSpec], maxRestarts: Int = 3,
        maxSeconds: Int = 5, name: ServerName? = nil, restart: Restart = .permanent, shutdown: Shutdown = .infinity
    ) -> ChildSpec {
        ChildSpec(id: id, restart: restart, shutdown: shutdown, type: .supervisor) { node, parent in
            try await node.startSupervisor(
                strategy: strategy, children: children, maxRestarts: maxRestarts, maxSeconds: maxSeconds, name: name,
                link: parent)
        }
    }

    /// A child that is a dynamic supervisor, started with no children (reach it through
    /// ``DynamicSupervisorRef`` with the pid from ``SupervisorRef/whichChildren()``, or give it a
    /// `name`).
    ///
    /// - Parameters:
    ///   - id: the child's id in the parent.
    ///   - maxChildren: the most children at once; `nil` for no limit.
    ///   - maxRestarts: its restart intensity.
    ///   - maxSeconds: its intensity window in seconds.
    ///   - name: a name to register it under.
    ///   - restart: how the parent treats its exit (default `permanent`).
    ///   - shutdown: how the parent stops it (default `infinity`).
    public static func dynamicSupervisor(
        id: Term, maxChildren: Int? = nil, maxRestarts: Int = 3, maxSeconds: Int = 5, name: ServerName? = nil,
        restart: Restart = .permanent, shutdown: Shutdown = .infinity
    ) -> ChildSpec {
        ChildSpec(id: id, restart: restart, shutdown: shutdown, type: .supervisor) { node, parent in
            try await node.startDynamicSupervisor(
                maxChildren: maxChildren, maxRestarts: maxRestarts, maxSeconds: maxSeconds, name: name, link: parent)
        }
    }
}
