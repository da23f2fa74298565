/// The Erlang side of the interop tests: `colony_interop.erl`, written to a directory and compiled
/// with `erlc` at test time (the test target has no resources, so the source lives here).
///
/// `erl -run colony_interop main agent Action ColonyNode` starts an agent on the Erlang node:
/// - `EVENT nodeup Node` / `EVENT nodedown Node Reason` lines from
///   `net_kernel:monitor_nodes(true, [nodedown_reason])`;
/// - a registered `erl_echo` that checks each `{From, {Mode, Name, Term}}` from Colony against the
///   term it expects (`=:=`), prints `RESULT recv Mode Name ok|mismatch`, and answers
///   `{self(), {Mode, Name, Term, Verdict}}`;
/// - a registered `driver` that runs `{cmd, From, Tag, Command}` and answers `{reply, Tag, Result}`;
/// - then `Action`: `none`, `ping` (`net_adm:ping(ColonyNode)` at once, printing
///   `RESULT startup_ping pong|pang`), or `await_ping` (wait until ColonyNode connects, then ping it,
///   printing `RESULT await_ping pong|pang`).
///
/// `erl -run colony_interop main watch_colony ColonyNode` pings ColonyNode, finds the pid of its
/// `echo` process, links to it and monitors it by pid and by `{echo, ColonyNode}`, prints
/// `RESULT watching`, and then one `RESULT watched Id Kind Match Reason` line per exit or `DOWN`.
///
/// The deterministic corpus (`det_corpus/0`) must stay equal to `InteropCorpus.deterministic`.
enum InteropErlangSource {
    static let moduleName = "colony_interop"

    static let text = #"""
        -module(colony_interop).
        -export([main/1]).

        main(Args) ->
            spawn(fun() -> safe(fun() -> start(Args) end) end),
            ok.

        safe(Fun) ->
            try Fun()
            catch Class:Reason:Stack ->
                out("CRASH ~w ~w ~w", [Class, Reason, Stack]),
                erlang:halt(3)
            end.

        out(Format, Args) ->
            io:put_chars(standard_io, [io_lib:format(Format, Args), $\n]).

        start(["agent", Action, Colony]) ->
            Target = list_to_atom(Colony),
            start_events(),
            register(erl_echo, spawn(fun() -> safe(fun erl_echo/0) end)),
            register(driver, self()),
            out("READY ~w", [node()]),
            spawn(fun() -> safe(fun() -> after_start(list_to_atom(Action), Target) end) end),
            driver_loop();
        start(["watch_colony", Colony]) ->
            watch_colony(list_to_atom(Colony)).

        after_start(none, _) ->
            ok;
        after_start(ping, Target) ->
            out("RESULT startup_ping ~w", [net_adm:ping(Target)]);
        after_start(await_ping, Target) ->
            wait_connected(Target, 600),
            out("RESULT await_ping ~w", [net_adm:ping(Target)]);
        after_start(global, Target) ->
            %% global's names keep working with a visible Colony node connected.
            out("RESULT global_ping ~w", [net_adm:ping(Target)]),
            Name = colony_interop_global,
            out("RESULT global_register ~w", [global:register_name(Name, self())]),
            out("RESULT global_whereis ~w", [global:whereis_name(Name) =:= self()]),
            out("RESULT global_names ~w", [lists:member(Name, global:registered_names())]),
            global:unregister_name(Name),
            out("RESULT global_after ~w", [global:whereis_name(Name)]),
            %% global:sync() waits for every visible node to be synchronised, Colony included.
            Self = self(),
            spawn(fun() -> Self ! {global_sync, global:sync()} end),
            Sync = receive {global_sync, R} -> R after 10000 -> timeout end,
            out("RESULT global_sync ~w", [Sync]),
            out("RESULT global_reregister ~w", [global:register_name(Name, self())]),
            out("RESULT global_done ~w", [global:whereis_name(Name) =:= self()]).

        wait_connected(_, 0) ->
            not_connected;
        wait_connected(Node, Tries) ->
            case lists:member(Node, nodes()) of
                true -> ok;
                false -> timer:sleep(50), wait_connected(Node, Tries - 1)
            end.

        %% Node events, printed as they come.
        start_events() ->
            Parent = self(),
            Pid = spawn(fun() ->
                ok = net_kernel:monitor_nodes(true, [nodedown_reason]),
                Parent ! {events_ready, self()},
                events_loop()
            end),
            receive {events_ready, Pid} -> ok after 10000 -> error(events_not_ready) end.

        events_loop() ->
            receive
                {nodeup, Node, _} ->
                    out("EVENT nodeup ~w", [Node]);
                {nodedown, Node, Info} ->
                    out("EVENT nodedown ~w ~w", [Node, proplists:get_value(nodedown_reason, Info)]);
                _ ->
                    ok
            end,
            events_loop().

        %% Commands from a Colony process.
        driver_loop() ->
            receive
                {cmd, From, Tag, Command} ->
                    Result = try command(Command) catch Class:Reason -> {crash, Class, Reason} end,
                    From ! {reply, Tag, Result},
                    out("CMD ~w", [command_name(Command)]);
                _ ->
                    ok
            end,
            driver_loop().

        command_name(Command) when is_tuple(Command) -> element(1, Command);
        command_name(Command) -> Command.

        command({ping, Node}) ->
            net_adm:ping(Node);
        command(nodes) ->
            nodes();
        command(echo_pid) ->
            whereis(erl_echo);
        command(plain_echo) ->
            spawn(fun plain_echo/0);
        command({disconnect, Node}) ->
            erlang:disconnect_node(Node);
        command({spawn_target, Name}) ->
            Pid = spawn(fun target/0),
            case Name of
                none -> ok;
                _ -> true = register(Name, Pid)
            end,
            Pid;
        command(dead_pid) ->
            {Pid, Ref} = spawn_monitor(fun() -> ok end),
            receive {'DOWN', Ref, process, Pid, _} -> Pid after 5000 -> error(not_dead) end;
        command({watch, Id, ReportTo, Mode, Target}) ->
            watch(Id, ReportTo, Mode, Target);
        command({process_info, Pid, Item}) ->
            erlang:process_info(Pid, Item);
        command({exit, Pid, Reason}) ->
            exit(Pid, Reason),
            self();
        command({send_to_unknown_name, Node}) ->
            {no_such_name_here, Node} ! hello,
            ok;
        command({roundtrip, EchoPid, EchoName, EchoNode}) ->
            roundtrip(EchoPid, {EchoName, EchoNode});
        command({gen_call, Server, Request}) ->
            gen_server:call(Server, Request, 5000);
        command({rpc, Node, Module, Function, Arguments}) ->
            rpc:call(Node, Module, Function, Arguments, 5000);
        command(capture_call) ->
            %% A process that answers one gen_server call with {ok, <<"captured">>} and keeps the
            %% request for a later {captured, Pid}.
            spawn(fun() ->
                receive {'$gen_call', From, Request} -> gen_server:reply(From, {ok, <<"captured">>}) end,
                receive {give, To} -> To ! {captured, Request} end
            end);
        command({captured, Pid}) ->
            Pid ! {give, self()},
            receive {captured, Request} -> Request after 5000 -> none end.

        %% Sends back whatever comes as {From, Message}.
        plain_echo() ->
            receive {From, Message} when is_pid(From) -> From ! Message end,
            plain_echo().

        target() ->
            receive
                {exit_with, Reason} -> exit(Reason)
            after 30000 ->
                exit(target_timeout)
            end.

        %% A process that links to or monitors Target and reports the first exit or DOWN it gets.
        watch(Id, ReportTo, Mode, Target) ->
            Parent = self(),
            Watcher = spawn(fun() -> safe(fun() -> watcher(Parent, Id, ReportTo, Mode, Target) end) end),
            receive {watching, Watcher, Ref} -> {watching, Watcher, Ref} after 10000 -> error(watch_setup) end.

        %% Modes: link (with trap_exit: reports the 'EXIT'), monitor (reports the 'DOWN'), and
        %% link_notrap (a process that links without trapping exits; reports the 'DOWN' of that
        %% process, which dies with the reason the link brings).
        watcher(Parent, Id, ReportTo, Mode, Target) ->
            {Ref, Object} = case Mode of
                link ->
                    process_flag(trap_exit, true),
                    link(Target),
                    {undefined, Target};
                monitor ->
                    {erlang:monitor(process, Target), Target};
                link_notrap ->
                    Self = self(),
                    Linked = spawn(fun() -> link(Target), Self ! {linked, self()}, receive never -> ok end end),
                    receive {linked, Linked} -> ok after 10000 -> error(not_linked) end,
                    {erlang:monitor(process, Linked), Linked}
            end,
            Parent ! {watching, self(), Ref},
            receive
                {'EXIT', Pid, Reason} = Message ->
                    report(Id, ReportTo, Message, exit, Pid =:= Object, Reason);
                {'DOWN', DownRef, process, Down, Reason} = Message ->
                    report(Id, ReportTo, Message, down, DownRef =:= Ref andalso Down =:= Object, Reason)
            after 30000 ->
                report(Id, ReportTo, timeout, timeout, false, timeout)
            end.

        report(Id, ReportTo, Message, Kind, Match, Reason) ->
            out("RESULT watched ~w ~w ~w ~w", [Id, Kind, Match, Reason]),
            case ReportTo of
                none -> ok;
                _ -> ReportTo ! {watched, Id, Message}
            end.

        %% A Colony node OS process: link to and monitor its echo; the test kills it.
        watch_colony(Colony) ->
            start_events(),
            out("RESULT ping ~w", [net_adm:ping(Colony)]),
            {echo, Colony} ! {self(), hello},
            Echo = receive {Pid, hello} when is_pid(Pid) -> Pid after 10000 -> error(no_echo_reply) end,
            watch(link, none, link, Echo),
            watch(monitor_pid, none, monitor, Echo),
            watch(monitor_name, none, monitor, {echo, Colony}),
            out("RESULT watching ~w", [Echo]),
            receive stop -> ok end.

        %% Erlang -> Colony -> Erlang: every corpus term to Colony's echo, by pid and by
        %% {Name, Node}; the echo must give back a term =:= to the one sent.
        roundtrip(EchoPid, NameTarget) ->
            Corpus = det_corpus() ++ erl_corpus(),
            [{Mode, Name, roundtrip_one(Mode, Dest, Name, Term, EchoPid)}
             || {Mode, Dest} <- [{pid, EchoPid}, {name, NameTarget}], {Name, Term} <- Corpus].

        roundtrip_one(Mode, Dest, Name, Term, EchoPid) ->
            Dest ! {self(), {Mode, Name, Term}},
            receive
                {From, {Mode, Name, Got}} ->
                    if
                        From =/= EchoPid -> {wrong_sender, From};
                        Got =:= Term -> ok;
                        true -> {mismatch, Got}
                    end
            after 5000 ->
                timeout
            end.

        erl_corpus() ->
            N = 5 + 0 * length(erlang:ports()),
            Self = self(),
            Ref = make_ref(),
            Port = hd(erlang:ports()),
            [{erl_pid, Self},
             {erl_ref, Ref},
             {erl_port, Port},
             {erl_fun_closure, fun(X) -> X + N end},
             {erl_fun_closure_pid, fun() -> Self end},
             {erl_nested, {Self, [#{Ref => Port}], fun lists:sort/1}}].

        %% Colony -> Erlang: check what Colony sent against what this side expects.
        erl_echo() ->
            receive
                {From, {Mode, Name, Term}} when is_pid(From) ->
                    Verdict = case expected(Name, From) of
                        {ok, Expected} when Expected =:= Term -> ok;
                        {ok, Expected} -> {mismatch, Expected};
                        error -> unknown_case
                    end,
                    out("RESULT recv ~w ~w ~w", [Mode, Name, verdict_name(Verdict)]),
                    From ! {self(), {Mode, Name, Term, Verdict}};
                {From, Other} when is_pid(From) ->
                    From ! {self(), Other};
                _ ->
                    ok
            end,
            erl_echo().

        verdict_name({Verdict, _}) -> Verdict;
        verdict_name(Verdict) -> Verdict.

        expected(Name, ColonyPid) ->
            case lists:keyfind(Name, 1, det_corpus()) of
                {_, Term} -> {ok, Term};
                false -> colony_expected(Name, ColonyPid)
            end.

        %% Colony's own identifiers, built here from bytes (node and creation taken from the
        %% sender's pid), independently of Colony's encoder.
        colony_expected(colony_pid, Pid) ->
            {ok, Pid};
        colony_expected(colony_ref, Pid) ->
            {ok, remote(Pid, fun(Node, Creation) -> <<90, 3:16, Node/binary, Creation:32, 11:32, 22:32, 33:32>> end)};
        colony_expected(colony_port, Pid) ->
            {ok, remote(Pid, fun(Node, Creation) -> <<89, Node/binary, 77:32, Creation:32>> end)};
        colony_expected(colony_port_v4, Pid) ->
            {ok, remote(Pid, fun(Node, Creation) -> <<120, Node/binary, ((1 bsl 40) + 5):64, Creation:32>> end)};
        colony_expected(colony_nested, Pid) ->
            {ok, Ref} = colony_expected(colony_ref, Pid),
            {ok, {Pid, [#{ref => Ref}]}};
        colony_expected(_, _) ->
            error.

        remote(Pid, Build) ->
            <<131, 88, 119, Length, Name:Length/binary, _Id:32, _Serial:32, Creation:32>> =
                term_to_binary(Pid, [{minor_version, 2}]),
            binary_to_term(<<131, (Build(<<119, Length, Name/binary>>, Creation))/binary>>).

        %% Keep equal to InteropCorpus.deterministic on the Swift side.
        det_corpus() ->
            [{atom_plain, hello},
             {atom_quoted, 'with space'},
             {atom_empty, ''},
             {atom_latin1, list_to_atom([16#E9, $t, 16#E9])},
             {atom_unicode, list_to_atom([16#65E5, 16#672C, 16#8A9E, $_, 16#1F600])},
             {atom_long_unicode, list_to_atom(lists:duplicate(255, 16#E9))},
             {int_zero, 0},
             {int_byte, 255},
             {int_byte_edge, 256},
             {int_negative, -1},
             {int32_max, 2147483647},
             {int32_min, -2147483648},
             {int32_over, 2147483648},
             {int64_max, 9223372036854775807},
             {int64_min, -9223372036854775808},
             {bignum_2_64, 18446744073709551616},
             {bignum_negative, -(1 bsl 100)},
             {bignum_huge, 1 bsl 2100},
             {float_pi, 3.141592653589793},
             {float_negative, -2.5},
             {float_big, 1.0e300},
             {float_denormal, 5.0e-324},
             {binary_empty, <<>>},
             {binary_bytes, <<0, 1, 2, 255>>},
             {binary_utf8, <<"h", 16#C3, 16#A9, "llo">>},
             {binary_large, binary:copy(<<"0123456789abcdef">>, 8192)},
             {binary_fragmented, binary:copy(<<"colony!">>, 300000)},
             {bits_3, <<5:3>>},
             {bits_20, <<1, 2, 7:4>>},
             {list_empty, []},
             {list_bytes, "abc"},
             {list_codepoints, [16#65E5, 16#672C]},
             {list_mixed, [1, two, <<"three">>, 4.0, {five}]},
             {list_improper, [1, 2 | 3]},
             {list_improper_atom, [a | b]},
             {list_nested, [[], [[]], [[[x]]]]},
             {tuple_empty, {}},
             {tuple_nested, {ok, 1, {nested, [x, y]}, #{}}},
             {tuple_large, list_to_tuple(lists:seq(1, 300))},
             {map_empty, #{}},
             {map_atom_keys, #{a => 1, b => 2}},
             {map_mixed_keys, #{1 => one, <<"k">> => [v], {t, 1} => #{[] => 2.5}, 2.0 => float_key,
                                [a, b] => list_key, 18446744073709551616 => big}},
             {map_large, maps:from_list([{I, I * I} || I <- lists:seq(1, 40)])},
             {fun_export, fun lists:reverse/1}].
        """#
}
