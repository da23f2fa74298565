%% pg propagation beside Colony (scripts/bench, section pg): a peer node on this machine starts
%% COUNT processes that each join one group, one pg:join/2 each; this node measures the time until
%% it has seen all of them join (pg:monitor/1: join notifications, no polling of the member list).
%% A benchmark, never a test.
%%
%%   erl -name pgb@127.0.0.1 -pa DIR -run pg_bench main REPS COUNT
%%   prints "PG join_propagation <count> <milliseconds>" (median of REPS)
-module(pg_bench).
-export([main/1]).

main([RepsS, CountS]) ->
    Reps = list_to_integer(RepsS),
    Count = list_to_integer(CountS),
    {ok, _} = pg:start(pg),
    Dir = filename:dirname(code:which(?MODULE)),
    {ok, Peer, Node} = peer:start_link(#{name => pg_bench_peer, host => "127.0.0.1", longnames => true,
                                         args => ["-pa", Dir, "-setcookie", atom_to_list(erlang:get_cookie())]}),
    {ok, _} = erpc:call(Node, pg, start, [pg]),
    Times = [once(Node, Count, Rep) || Rep <- lists:seq(1, Reps)],
    Median = lists:nth((Reps + 1) div 2, lists:sort(Times)),
    io:format("PG join_propagation ~b ~.1f~n", [Count, Median]),
    peer:stop(Peer),
    halt().

once(Node, Count, Rep) ->
    Group = {bench, Rep},
    {Ref, []} = pg:monitor(Group),
    Start = erlang:monotonic_time(microsecond),
    Pids = erpc:call(Node, fun() ->
        [spawn(fun() -> ok = pg:join(Group, self()), receive stop -> ok end end) || _ <- lists:seq(1, Count)]
    end),
    wait(Ref, Count),
    Elapsed = (erlang:monotonic_time(microsecond) - Start) / 1000,
    Count = length(pg:get_members(Group)),
    pg:demonitor(Ref),
    [Pid ! stop || Pid <- Pids],
    Elapsed.

wait(_Ref, 0) ->
    ok;
wait(Ref, Left) ->
    receive
        {Ref, join, _Group, Joined} -> wait(Ref, Left - length(Joined))
    end.
