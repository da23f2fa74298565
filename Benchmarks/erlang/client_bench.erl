%% Colony as a server for Erlang clients: an erl node calls `kv` and sends to `echo` on a Colony
%% node and on a plain OTP node, in alternating rounds of one run. A benchmark, never a test.
%%
%%   serve()                        on the OTP server node: registers echo and kv, then waits
%%   main([Colony, Otp, Reps])      on the client node: prints "CLIENT Kind Metric Value" lines
-module(client_bench).
-behaviour(gen_server).
-export([serve/0, main/1]).
-export([init/1, handle_call/3, handle_cast/2]).

serve() ->
    register(echo, spawn(fun echo/0)),
    {ok, _} = gen_server:start({local, kv}, ?MODULE, [], []),
    receive stop -> ok end.

echo() ->
    receive {From, Msg} -> From ! {self(), Msg} end,
    echo().

init([]) -> {ok, #{}}.
handle_call({get, K}, _From, S) -> {reply, maps:get(K, S, nil), S};
handle_call({put, K, V}, _From, S) -> {reply, ok, S#{K => V}}.
handle_cast(_, S) -> {noreply, S}.

main([ColonyName, OtpName, RepsText]) ->
    Colony = list_to_atom(ColonyName),
    Otp = list_to_atom(OtpName),
    Reps = list_to_integer(RepsText),
    [wait_for(Node, 100) || Node <- [Colony, Otp]],
    [ok = gen_server:call({kv, Node}, {put, k, 1}) || Node <- [Colony, Otp]],
    lists:foreach(
        fun(Round) ->
            Order = case Round rem 2 of 0 -> [Colony, Otp]; 1 -> [Otp, Colony] end,
            [report(kind(Node, Colony), measure(Node)) || Node <- Order]
        end,
        lists:seq(1, Reps)),
    halt(0).

wait_for(_Node, 0) -> halt(2);
wait_for(Node, Tries) ->
    case net_kernel:connect_node(Node) andalso whereis_remote(Node) of
        true -> ok;
        _ -> timer:sleep(100), wait_for(Node, Tries - 1)
    end.

whereis_remote(Node) ->
    is_pid(rpc:call(Node, erlang, whereis, [kv])) orelse colony_kv(Node).

%% A Colony node runs no `erlang:whereis` by rpc; a call to kv tells it is up.
colony_kv(Node) ->
    try gen_server:call({kv, Node}, {get, k}, 1000) of _ -> true catch _:_ -> false end.

kind(Node, Node) -> colony;
kind(_, _) -> otp.

report(Kind, Results) ->
    [io:format("CLIENT ~s ~s ~.3f~n", [Kind, Metric, float(Value)]) || {Metric, Value} <- Results].

measure(Node) ->
    {P50, Rate} = call_x1(Node, 5000),
    [{call_x1_p50_us, P50}, {call_x1_rate, Rate},
     {call_x16_rate, call_many(Node, 16, 2000)},
     {echo_inflight100_rate, echo(Node, {msg, 12345}, 100, 50000)},
     {echo_64kib_rate, echo(Node, binary:copy(<<7>>, 65536), 16, 4000)}].

call_x1(Node, N) ->
    [gen_server:call({kv, Node}, {get, k}) || _ <- lists:seq(1, 500)],
    Start = erlang:monotonic_time(nanosecond),
    Latencies = [begin
                     T0 = erlang:monotonic_time(nanosecond),
                     _ = gen_server:call({kv, Node}, {get, k}),
                     erlang:monotonic_time(nanosecond) - T0
                 end || _ <- lists:seq(1, N)],
    Elapsed = erlang:monotonic_time(nanosecond) - Start,
    Sorted = lists:sort(Latencies),
    {lists:nth(N div 2, Sorted) / 1000, N / (Elapsed / 1.0e9)}.

call_many(Node, Callers, PerCaller) ->
    Parent = self(),
    Start = erlang:monotonic_time(nanosecond),
    Pids = [spawn_link(fun() ->
                           [gen_server:call({kv, Node}, {get, k}) || _ <- lists:seq(1, PerCaller)],
                           Parent ! {done, self()}
                       end) || _ <- lists:seq(1, Callers)],
    [receive {done, P} -> ok end || P <- Pids],
    Elapsed = erlang:monotonic_time(nanosecond) - Start,
    Callers * PerCaller / (Elapsed / 1.0e9).

%% Keeps Window messages in flight to {echo, Node} until Total came back.
echo(Node, Msg, Window, Total) ->
    Start = erlang:monotonic_time(nanosecond),
    [{echo, Node} ! {self(), Msg} || _ <- lists:seq(1, Window)],
    echo_loop(Node, Msg, Total - Window, Total),
    Elapsed = erlang:monotonic_time(nanosecond) - Start,
    Total / (Elapsed / 1.0e9).

echo_loop(_Node, _Msg, _ToSend, 0) -> ok;
echo_loop(Node, Msg, ToSend, Remaining) ->
    receive {_, _} -> ok end,
    case ToSend > 0 of
        true -> {echo, Node} ! {self(), Msg}, echo_loop(Node, Msg, ToSend - 1, Remaining - 1);
        false -> echo_loop(Node, Msg, 0, Remaining - 1)
    end.
