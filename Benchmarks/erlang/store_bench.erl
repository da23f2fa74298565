%% Mnesia's side of the store benchmark: transaction writes on 2 nodes (ram_copies, then
%% disc_copies on both), from 1 and 16 concurrent clients on node A, and dirty reads of the local
%% copy. Prints "STORE <table>_write_<clients>_ops|_p50_us|_p99_us <value>" and
%% "STORE <table>_dirty_read_per_s <value>", each the median of Reps runs.
-module(store_bench).
-export([main/1]).

main([RepsS, WritesS, Dir]) ->
    Reps = list_to_integer(RepsS),
    Writes = list_to_integer(WritesS),
    {ok, Peer, B} = peer:start_link(#{name => store_bench_b, host => "127.0.0.1", longnames => true,
                                      args => ["-setcookie", atom_to_list(erlang:get_cookie())]}),
    A = node(),
    ok = application:set_env(mnesia, dir, filename:join(Dir, "a")),
    ok = erpc:call(B, application, set_env, [mnesia, dir, filename:join(Dir, "b")]),
    ok = mnesia:create_schema([A, B]),
    {[ok, ok], []} = rpc:multicall([A, B], application, start, [mnesia]),
    {atomic, ok} = mnesia:create_table(ram_tab, [{ram_copies, [A, B]}]),
    {atomic, ok} = mnesia:create_table(disc_tab, [{disc_copies, [A, B]}]),
    ok = mnesia:wait_for_tables([ram_tab, disc_tab], 30000),
    put(round, 0),
    [begin
         [begin
              Runs = [write_round(Tab, Clients, Writes) || _ <- lists:seq(1, Reps)],
              report(Tab, Clients, Runs)
          end || Clients <- [1, 16]],
         Reads = 500000,
         Rates = [read_round(Tab, Reads, Writes) || _ <- lists:seq(1, Reps)],
         io:format("STORE ~s_dirty_read_per_s ~.1f~n", [Tab, median(Rates)])
     end || Tab <- [ram_tab, disc_tab]],
    rpc:multicall([A, B], application, stop, [mnesia]),
    peer:stop(Peer),
    halt(0).

write_round(Tab, Clients, Writes) ->
    R = get(round) + 1, put(round, R),
    Base = R * 10000000,
    Parent = self(),
    Start = erlang:monotonic_time(nanosecond),
    Pids = [spawn_link(fun() -> Parent ! {self(), client(Tab, Base, C, Clients, Writes, [])} end)
            || C <- lists:seq(0, Clients - 1)],
    Latencies = lists:append([receive {P, L} -> L end || P <- Pids]),
    Elapsed = erlang:monotonic_time(nanosecond) - Start,
    {Writes / (Elapsed / 1.0e9), Latencies}.

client(_Tab, _Base, I, _Step, Writes, Acc) when I >= Writes -> Acc;
client(Tab, Base, I, Step, Writes, Acc) ->
    T0 = erlang:monotonic_time(nanosecond),
    {atomic, ok} = mnesia:transaction(fun() -> mnesia:write({Tab, Base + I, I}) end),
    T1 = erlang:monotonic_time(nanosecond),
    client(Tab, Base, I + Step, Step, Writes, [(T1 - T0) / 1000 | Acc]).

read_round(Tab, Reads, Writes) ->
    Base = 10000000,
    Start = erlang:monotonic_time(nanosecond),
    read_loop(Tab, Base, 0, Reads, Writes),
    Reads / ((erlang:monotonic_time(nanosecond) - Start) / 1.0e9).

read_loop(_Tab, _Base, I, Reads, _Writes) when I >= Reads -> ok;
read_loop(Tab, Base, I, Reads, Writes) ->
    _ = mnesia:dirty_read(Tab, Base + I rem Writes),
    read_loop(Tab, Base, I + 1, Reads, Writes).

report(Tab, Clients, Runs) ->
    Rates = [Rate || {Rate, _} <- Runs],
    P50s = [percentile(L, 0.50) || {_, L} <- Runs],
    P99s = [percentile(L, 0.99) || {_, L} <- Runs],
    io:format("STORE ~s_write_~p_ops ~.1f~n", [Tab, Clients, median(Rates)]),
    io:format("STORE ~s_write_~p_p50_us ~.1f~n", [Tab, Clients, median(P50s)]),
    io:format("STORE ~s_write_~p_p99_us ~.1f~n", [Tab, Clients, median(P99s)]).

percentile(Values, F) ->
    Sorted = lists:sort(Values),
    lists:nth(min(length(Sorted), trunc(length(Sorted) * F) + 1), Sorted).

median(Values) -> lists:nth((length(Values) + 1) div 2, lists:sort(Values)).
