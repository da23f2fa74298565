%% etf_bench: term_to_binary / binary_to_term throughput in OTP, the same
%% workloads as colony-bench's "etf" section. Prints one line per measurement:
%%   ETF <workload> <encode|decode> <ops/s> <MB/s>
%% (median of Reps runs). Started by scripts/bench; needs no distribution.
-module(etf_bench).
-export([main/1, workloads/0]).

workloads() ->
    [{small_tuple, {msg, 12345}},
     {binary_1k, {msg, 12345, binary:copy(<<16#AB>>, 1024)}},
     {nested_map, #{name => <<"node-1">>, id => 42, tags => [alpha, beta, gamma],
                    meta => #{created => 1700000000, score => 0.75,
                              owner => #{name => <<"ada">>, roles => [admin, ops]},
                              peers => [{peer, I, <<"10.0.0.", (integer_to_binary(I))/binary>>}
                                        || I <- lists:seq(1, 8)]}}}].

main([RepsS, ItersS]) ->
    Reps = list_to_integer(RepsS),
    Iters = list_to_integer(ItersS),
    [bench(Name, T, Reps, Iters) || {Name, T} <- workloads()],
    halt(0).

bench(Name, T, Reps, Iters) ->
    Bin = term_to_binary(T, [{minor_version, 2}]),
    Size = byte_size(Bin),
    N = max(1000, Iters * 64 div max(64, Size)),
    Enc = median([time_loop(fun() -> enc_loop(T, N) end) || _ <- lists:seq(1, Reps)]),
    Dec = median([time_loop(fun() -> dec_loop(Bin, N) end) || _ <- lists:seq(1, Reps)]),
    report(Name, encode, N, Enc, Size),
    report(Name, decode, N, Dec, Size).

report(Name, Dir, N, Ns, Size) ->
    Ops = N / (Ns / 1.0e9),
    io:format("ETF ~s ~s ~.1f ~.2f ~b~n", [Name, Dir, Ops, Ops * Size / 1.0e6, Size]).

time_loop(F) ->
    garbage_collect(),
    T0 = erlang:monotonic_time(nanosecond),
    F(),
    erlang:monotonic_time(nanosecond) - T0.

enc_loop(_, 0) -> ok;
enc_loop(T, N) -> _ = term_to_binary(T, [{minor_version, 2}]), enc_loop(T, N - 1).

dec_loop(_, 0) -> ok;
dec_loop(B, N) -> _ = binary_to_term(B), dec_loop(B, N - 1).

median(L) -> lists:nth((length(L) + 1) div 2, lists:sort(L)).
