%% global beside Colony (scripts/bench, section global): three nodes on this machine (this one
%% and two peers), fully connected and synced. This node registers COUNT names, one
%% global:register_name/2 after the other (each takes global's lock on all three nodes), then
%% looks names up LOOKUPS times with global:whereis_name/1. A benchmark, never a test.
%%
%%   erl -name gb@127.0.0.1 -pa DIR -run global_bench main REPS COUNT LOOKUPS
%%   prints "GLOBAL register <count> <ops/s>" and "GLOBAL whereis <lookups> <ops/s>" (medians)
-module(global_bench).
-export([main/1]).

main([RepsS, CountS, LookupsS]) ->
    Reps = list_to_integer(RepsS),
    Count = list_to_integer(CountS),
    Lookups = list_to_integer(LookupsS),
    Dir = filename:dirname(code:which(?MODULE)),
    Peer = fun(Name) ->
        {ok, P, N} = peer:start_link(#{name => Name, host => "127.0.0.1", longnames => true,
                                       args => ["-pa", Dir, "-setcookie", atom_to_list(erlang:get_cookie())]}),
        {P, N}
    end,
    {P1, N1} = Peer(global_bench_b),
    {P2, N2} = Peer(global_bench_c),
    true = erpc:call(N1, net_kernel, connect_node, [N2]),
    ok = global:sync(),
    ok = erpc:call(N1, global, sync, []),
    ok = erpc:call(N2, global, sync, []),
    2 = length(nodes()),
    Registers = [register_once(Count, Rep) || Rep <- lists:seq(1, Reps)],
    Whereis = [whereis_once(Lookups) || _ <- lists:seq(1, Reps)],
    io:format("GLOBAL register ~b ~.1f~n", [Count, median(Registers)]),
    io:format("GLOBAL whereis ~b ~.1f~n", [Lookups, median(Whereis)]),
    peer:stop(P1),
    peer:stop(P2),
    halt().

median(L) -> lists:nth((length(L) + 1) div 2, lists:sort(L)).

register_once(Count, Rep) ->
    Pids = [spawn(fun() -> receive stop -> ok end end) || _ <- lists:seq(1, Count)],
    Named = lists:zip(lists:seq(1, Count), Pids),
    Start = erlang:monotonic_time(microsecond),
    [yes = global:register_name({bench, Rep, I}, Pid) || {I, Pid} <- Named],
    Elapsed = erlang:monotonic_time(microsecond) - Start,
    [global:unregister_name({bench, Rep, I}) || {I, _} <- Named],
    [Pid ! stop || Pid <- Pids],
    Count / (Elapsed / 1000000).

whereis_once(Lookups) ->
    Pid = spawn(fun() -> receive stop -> ok end end),
    yes = global:register_name(bench_lookup, Pid),
    Start = erlang:monotonic_time(microsecond),
    lookup(Lookups, Pid),
    Elapsed = erlang:monotonic_time(microsecond) - Start,
    global:unregister_name(bench_lookup),
    Pid ! stop,
    Lookups / (Elapsed / 1000000).

lookup(0, _) -> ok;
lookup(N, Pid) -> Pid = global:whereis_name(bench_lookup), lookup(N - 1, Pid).
