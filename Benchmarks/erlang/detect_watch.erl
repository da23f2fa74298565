%% Failure detection beside Colony (scripts/bench-detection): each OTP node keeps the listed peers
%% connected, retrying every second as Colony's --epmd-hosts does, and prints what it sees with
%% the wall-clock time in milliseconds. A benchmark, never a test.
%%
%%   erl ... -run detect_watch main d1@127.0.0.1 d2@127.0.0.1 d3@127.0.0.1
%%   prints "nodeup Node Ms" and "nodedown Node Ms" lines
-module(detect_watch).
-export([main/1]).

main(Names) ->
    Peers = [list_to_atom(Name) || Name <- Names, list_to_atom(Name) =/= node()],
    Parent = self(),
    spawn(fun() -> ok = net_kernel:monitor_nodes(true), Parent ! watching, watch() end),
    receive watching -> ok end,
    %% A separate process: connecting to a stopped node blocks for the setup timeout.
    spawn(fun() -> keep_connected(Peers) end),
    ok.

watch() ->
    receive
        {Event, Node} when Event =:= nodeup; Event =:= nodedown ->
            io:format("~s ~s ~b~n", [Event, Node, os:system_time(millisecond)]),
            watch()
    end.

keep_connected(Peers) ->
    [net_kernel:connect_node(Peer) || Peer <- Peers, not lists:member(Peer, nodes())],
    timer:sleep(1000),
    keep_connected(Peers).
