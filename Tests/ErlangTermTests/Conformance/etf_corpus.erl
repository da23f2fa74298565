%% The OTP side of Colony's External Term Format conformance test
%% (Tests/ErlangTermTests/Conformance/OTPConformanceTests.swift).
%%
%% `write` runs on a distributed node (corpus@127.0.0.1) so that pids, references and ports carry
%% a real node name and a 32-bit creation. For every case it writes
%%
%%   NAME.bin           the bytes Colony must decode (term_to_binary output, or a hand-built
%%                      binary in an encoding OTP still decodes);
%%   NAME.expected.bin  term_to_binary(binary_to_term(NAME.bin), [{minor_version, 2}]): OTP's
%%                      canonical encoding of the same term (not written for rejected input);
%%
%% and one line per case in manifest.txt: `NAME MODE FLAG...`, where MODE is
%%
%%   exact     Colony's re-encoding must equal NAME.expected.bin byte for byte;
%%   equal     Colony's re-encoding must decode, in OTP, to a term equal to the original (the
%%             bytes may differ: OTP reorders a hand-built map, Colony keeps the wire order);
%%   reject    OTP rejects the bytes (checked here) and Colony must throw ETFError;
%%   stricter  OTP accepts the bytes but Colony rejects them by design (trailing bytes, nesting
%%             beyond its depth limit);
%%
%% and the flags are `zlib=L` (Colony encoding the term with compression level L must reproduce
%% NAME.bin exactly) and `depth=N` (Colony's default depth limit rejects the term; decoding with
%% maximumDepth N must succeed).
%%
%% `verify` runs on a fresh node after Colony has written NAME.colony.bin for each accepted case
%% and swift_NAME.colony.bin for each term built in Swift. It writes results.txt with one line per
%% case, `RESULT NAME OK` or `RESULT NAME FAIL reason`, and a last line `TOTAL N`.
%%
%% This file is ASCII on purpose: non-ASCII atoms are built from code points.
-module(etf_corpus).
-export([main/1, write/1, verify/1, cases/0, swift_cases/0]).

-define(V2, [{minor_version, 2}]).

%% erl -run etf_corpus main write|verify DIR
main([Action, Dir]) ->
    Status =
        try
            case Action of
                "write" -> write(Dir);
                "verify" -> verify(Dir)
            end,
            0
        catch
            Class:Reason:Stack ->
                io:format(standard_error, "etf_corpus ~s failed: ~P~n", [Action, {Class, Reason, Stack}, 40]),
                1
        end,
    init:stop(Status).

%% ---------------------------------------------------------------------------------------------
%% write

write(Dir) ->
    case node() of
        nonode@nohost -> error(not_distributed);
        _ -> ok
    end,
    Cases = cases(),
    Names = [element(1, C) || C <- Cases],
    case length(Names) =:= length(lists:usort(Names)) of
        true -> ok;
        false -> error({duplicate_case_names, Names -- lists:usort(Names)})
    end,
    Lines = [write_case(Dir, C) || C <- Cases],
    ok = file:write_file(filename:join(Dir, "manifest.txt"), Lines),
    io:format("etf_corpus: wrote ~b cases from ~s~n", [length(Cases), node()]),
    ok.

write_case(Dir, {Name, Mode, Flags, Bin, Source}) ->
    ok = file:write_file(path(Dir, Name, ".bin"), Bin),
    case Mode of
        reject ->
            case catch binary_to_term(Bin) of
                {'EXIT', {badarg, _}} -> ok;
                Accepted -> error({otp_accepts_reject_case, Name, Accepted})
            end;
        _ ->
            Term = binary_to_term(Bin),
            case Source of
                {term, Term} -> ok;
                {term, Other} -> error({does_not_round_trip_in_otp, Name, Other});
                none -> ok
            end,
            ok = file:write_file(path(Dir, Name, ".expected.bin"), term_to_binary(Term, ?V2))
    end,
    [atom_to_list(Name), " ", atom_to_list(Mode), [[" ", F] || F <- Flags], "\n"].

path(Dir, Name, Suffix) -> filename:join(Dir, atom_to_list(Name) ++ Suffix).

%% ---------------------------------------------------------------------------------------------
%% The corpus: {Name, Mode, Flags, Bytes, {term, Term} | none}

cases() ->
    lists:append([
        integers(),
        floats(),
        atoms(),
        binaries(),
        lists_(),
        tuples(),
        maps_(),
        identifiers(),
        funs(),
        nesting(),
        compressed(),
        mixed(),
        legacy(),
        rejects(),
        stricter()
    ]).

%% term_to_binary with UTF-8 atoms, what Colony writes.
t(Name, Term) -> {Name, exact, [], term_to_binary(Term, ?V2), {term, Term}}.
%% OTP 25's default term_to_binary: latin-1 atoms as ATOM_EXT.
v1(Name, Term) -> {Name, exact, [], term_to_binary(Term), {term, Term}}.
%% minor_version 0: floats as FLOAT_EXT text.
v0(Name, Term) -> {Name, exact, [], term_to_binary(Term, [{minor_version, 0}]), {term, Term}}.
%% Hand-built bytes that OTP decodes.
raw(Name, Bin) -> {Name, exact, [], Bin, none}.
%% Hand-built bytes that OTP rejects.
rj(Name, Bin) -> {Name, reject, [], Bin, none}.

name(Prefix, Suffix) -> list_to_atom(atom_to_list(Prefix) ++ "_" ++ atom_to_list(Suffix)).

integers() ->
    Ints = [
        {int_0, 0},
        {int_255, 255},
        {int_256, 256},
        {int_neg1, -1},
        {int_neg256, -256},
        {int32_max, 2147483647},
        {int32_min, -2147483648},
        {int_2p31, 1 bsl 31},
        {int_neg_2p31_minus1, -(1 bsl 31) - 1},
        {int_2p32, 1 bsl 32},
        {int64_max, (1 bsl 63) - 1},
        {int64_min, -(1 bsl 63)},
        {int_2p63, 1 bsl 63},
        {int_neg_2p63_minus1, -(1 bsl 63) - 1},
        {int_2p64, 1 bsl 64},
        {uint64_max, (1 bsl 64) - 1},
        {int_neg_2p64, -(1 bsl 64)},
        {int_2p127, 1 bsl 127},
        {big_small_max, (1 bsl 2040) - 1},
        {big_neg_small_max, -((1 bsl 2040) - 1)},
        {big_large_min, 1 bsl 2040},
        {big_2p3000, 1 bsl 3000},
        {big_neg_2p3000, -(1 bsl 3000)},
        {big_factorial_500, factorial(500)},
        {big_2p20000, 1 bsl 20000}
    ],
    [t(N, I) || {N, I} <- Ints] ++
        [t(int_list, [I || {_, I} <- Ints, abs(I) < 1 bsl 200])].

factorial(0) -> 1;
factorial(N) -> N * factorial(N - 1).

neg_zero() ->
    <<F:64/float>> = <<16#8000000000000000:64>>,
    F.

floats() ->
    Floats = [
        {zero, 0.0},
        {neg_zero, neg_zero()},
        {one, 1.0},
        {pi, 3.14},
        {neg, -2.5},
        {big, 1.0e300},
        {tiny_neg, -1.0e-300},
        {denormal_min, 5.0e-324},
        {min_normal, 2.2250738585072014e-308},
        {max, 1.7976931348623157e308},
        {third, 1 / 3}
    ],
    [t(name(float, N), F) || {N, F} <- Floats] ++
        [v0(name(float_v0, N), F) || {N, F} <- Floats] ++
        [t(float_list, [F || {_, F} <- Floats])].

atoms() ->
    Atoms = [
        {ascii, hello},
        {true, true},
        {node_name, 'corpus@127.0.0.1'},
        {with_space, 'with space'},
        {empty, ''},
        {latin1, list_to_atom([$h, 16#E9, $l, $l, $o])},
        {cjk, list_to_atom([16#65E5, 16#672C])},
        {emoji, list_to_atom([16#1F600, $!])},
        {ascii_255, list_to_atom(lists:duplicate(255, $a))},
        {latin1_255, list_to_atom(lists:duplicate(255, 16#E9))},
        {cjk_255, list_to_atom(lists:duplicate(255, 16#65E5))},
        {latin1_128, list_to_atom(lists:duplicate(128, 16#E9))}
    ],
    [t(name(atom, N), A) || {N, A} <- Atoms] ++
        [v1(name(atom_v1, N), A) || {N, A} <- Atoms] ++
        [t(atom_list, [A || {_, A} <- Atoms])].

%% Deterministic, mildly compressible bytes.
pattern(N) -> <<<<((I * 7 + I div 251) band 255)>> || I <- lists:seq(1, N)>>.

binaries() ->
    [
        t(bin_empty, <<>>),
        t(bin_small, <<1, 2, 3>>),
        t(bin_text, <<"hello, world">>),
        t(bin_1k, pattern(1024)),
        t(bin_100k, pattern(102400)),
        t(bin_sub, binary:part(pattern(1000), 3, 10)),
        t(bits_1_3, <<1:3>>),
        t(bits_255_7_4, <<255, 7:4>>),
        t(bits_7, <<127:7>>),
        t(bits_long, <<(pattern(125))/binary, 5:3>>),
        t(bits_in_list, [<<1:1>>, <<>>, <<1, 2:2>>])
    ].

lists_() ->
    [
        t(nil, []),
        t(string_hello, "hello"),
        t(string_all_bytes, lists:seq(0, 255)),
        t(string_65535, lists:duplicate(65535, $a)),
        t(string_65536, lists:duplicate(65536, $a)),
        t(charlist_unicode, [16#65E5, 16#672C, 16#8A9E]),
        t(list_mixed, [1, 256, -1, a, 1.5, "x", <<"b">>, {t}, [], #{}]),
        t(list_long, lists:seq(1, 100000)),
        t(list_of_nils, [[], [], []]),
        t(list_of_strings, ["abc", "", "de"]),
        t(improper_int, [1 | 2]),
        t(improper_atoms, [a, b | c]),
        t(improper_binary_tail, [1, 2 | <<3>>]),
        t(improper_bytes_atom_tail, [$a, $b | c]),
        t(improper_nested, [[1 | 2] | [3 | 4]])
    ].

tuples() ->
    [
        t(tuple_empty, {}),
        t(tuple_nested, {a, {b, {c, {}}}, [{1}], {"s", <<"b">>}}),
        t(tuple_255, list_to_tuple(lists:seq(1, 255))),
        t(tuple_256, list_to_tuple(lists:seq(1, 256))),
        t(tuple_large, list_to_tuple([{I, integer_to_binary(I)} || I <- lists:seq(1, 1000)]))
    ].

mixed_key(I) ->
    case I rem 6 of
        0 -> I;
        1 -> integer_to_binary(I);
        2 -> {key, I};
        3 -> list_to_atom("k" ++ integer_to_list(I));
        4 -> I + 0.5;
        5 -> [I, I]
    end.

maps_() ->
    [
        t(map_empty, #{}),
        t(map_atom_keys, #{a => 1, b => 2, c => 3}),
        t(map_non_atom_keys, #{
            1 => int,
            -1 => neg,
            1.5 => float,
            (1 bsl 70) => big,
            <<"bin">> => binary,
            <<1:3>> => bits,
            {t, 1} => tuple,
            [1, 2] => list,
            "str" => string,
            [] => nil,
            #{k => v} => map,
            self() => pid,
            '' => empty_atom
        }),
        t(map_nested, #{outer => #{inner => #{deep => [1, 2, 3]}}, list => [#{a => 1}, #{}]}),
        t(map_32_keys, maps:from_list([{I, I * I} || I <- lists:seq(1, 32)])),
        t(map_33_keys, maps:from_list([{list_to_atom("k" ++ integer_to_list(I)), I} || I <- lists:seq(1, 33)])),
        t(map_200_mixed_keys, maps:from_list([{mixed_key(I), I} || I <- lists:seq(1, 200)])),
        t(map_hash_nested, maps:from_list([{I, maps:from_list([{{I, J}, J} || J <- lists:seq(1, 40)])} || I <- lists:seq(1, 40)])),
        t(map_in_tuple, {maps:from_list([{I, I} || I <- lists:seq(1, 50)]), #{x => y}})
    ].

identifiers() ->
    Self = self(),
    Spawned = spawn(fun() -> receive stop -> ok end end),
    Ref = make_ref(),
    Monitor = erlang:monitor(process, Spawned),
    Alias = alias(),
    FirstPort = hd(erlang:ports()),
    Opened = open_port({spawn, "true"}, []),
    Cases = [
        t(pid_self, Self),
        t(pid_spawned, Spawned),
        t(ref_make_ref, Ref),
        t(ref_monitor, Monitor),
        t(ref_alias, Alias),
        t(port_first, FirstPort),
        t(port_opened, Opened),
        t(ports_all, erlang:ports()),
        t(ids_tuple, {Self, Ref, FirstPort, node()}),
        v1(ids_tuple_v1, {Self, Ref, FirstPort, node()}),
        t(pid_map_keys, #{Self => self, Spawned => spawned, Ref => ref, FirstPort => port})
    ],
    catch port_close(Opened),
    Spawned ! stop,
    Cases.

funs() ->
    Env = {1, self(), <<"bin">>},
    Atoms = [a, b],
    NoEnv = fun() -> ok end,
    OneVar = fun(A) -> {A, Env} end,
    ManyVars = fun(A, B) -> {A, B, Env, Atoms, 3.5, -1, 1 bsl 80} end,
    [
        t(fun_export, fun lists:map/2),
        t(fun_export_erlang, fun erlang:'+'/2),
        t(fun_local_no_env, NoEnv),
        t(fun_local_env, OneVar),
        t(fun_local_many_env, ManyVars),
        t(fun_list, [OneVar, fun lists:map/2, NoEnv]),
        v1(fun_local_env_v1, OneVar)
    ].

nest_list(0) -> [];
nest_list(N) -> [nest_list(N - 1)].

nest_tuple(0) -> {};
nest_tuple(N) -> {nest_tuple(N - 1)}.

nest_mixed(0) -> leaf;
nest_mixed(N) when N rem 2 =:= 0 -> [N, nest_mixed(N - 1)];
nest_mixed(N) -> {N, nest_mixed(N - 1)}.

nest_map(0) -> #{};
nest_map(N) -> #{N => nest_map(N - 1)}.

nesting() ->
    [
        t(deep_list_400, nest_list(400)),
        t(deep_tuple_400, nest_tuple(400)),
        t(deep_mixed_400, nest_mixed(400)),
        t(deep_map_200, nest_map(200)),
        {deep_list_600, exact, ["depth=1000"], term_to_binary(nest_list(600), ?V2), {term, nest_list(600)}}
    ].

big_term() ->
    {lists:seq(1, 5000), pattern(20000), maps:from_list([{I, integer_to_list(I)} || I <- lists:seq(1, 100)]), self(), make_ref(),
        [hello, list_to_atom([$h, 16#E9, $l, $l, $o])]}.

compressed() ->
    Big = big_term(),
    Text = lists:duplicate(100000, $x),
    Z = fun(Name, Flags, Term, Options) -> {Name, exact, Flags, term_to_binary(Term, Options), {term, Term}} end,
    [
        Z(compressed_default, ["zlib=6"], Big, [compressed | ?V2]),
        Z(compressed_level1, ["zlib=1"], Big, [{compressed, 1} | ?V2]),
        Z(compressed_level9, ["zlib=9"], Big, [{compressed, 9} | ?V2]),
        Z(compressed_string, ["zlib=6"], Text, [compressed | ?V2]),
        Z(compressed_v1, [], Big, [compressed]),
        %% Small terms: OTP keeps the uncompressed form unless compressing saves bytes.
        Z(compressed_small_atom, ["zlib=6"], ok, [compressed | ?V2]),
        Z(compressed_small_binary, ["zlib=6"], <<"hello world">>, [compressed | ?V2])
    ] ++
        [
            Z(name(compressed_zeros, list_to_atom(integer_to_list(N))), ["zlib=6"], lists:duplicate(N, 0), [compressed | ?V2])
         || N <- [5, 10, 12, 14, 16, 20, 30]
        ].

mixed() ->
    Term = {ok, [1, 2.5, <<"bin">>, "str", #{key => {value, -1}}], self(), make_ref(), fun lists:map/2,
        list_to_atom([16#65E5, 16#672C]), 1 bsl 100, [a | b], <<1:5>>},
    [t(mixed_term, Term), v1(mixed_term_v1, Term)].

%% ---------------------------------------------------------------------------------------------
%% Encodings OTP still decodes but no longer writes, and non-canonical forms.

atom_ext(Atom) ->
    Bin = atom_to_binary(Atom, latin1),
    <<100, (byte_size(Bin)):16, Bin/binary>>.

utf8_atom_ext(Atom) ->
    Bin = atom_to_binary(Atom, utf8),
    <<119, (byte_size(Bin)), Bin/binary>>.

float_ext(Text) ->
    Bin = list_to_binary(Text),
    <<131, 99, Bin/binary, 0:((31 - byte_size(Bin)) * 8)>>.

legacy() ->
    Node = atom_ext(node()),
    Other = atom_ext('other@127.0.0.1'),
    OtherUtf8 = utf8_atom_ext('other@127.0.0.1'),
    <<131, 88, 119, NodeLength, _:NodeLength/binary, Id:32, Serial:32, _Creation:32>> = term_to_binary(self(), ?V2),
    Latin1 = [$h, 16#E9, $l, $l, $o],
    [
        %% Atoms
        raw(legacy_small_atom_ext, <<131, 115, 5, "hello">>),
        raw(legacy_small_atom_ext_latin1, <<131, 115, 5, (list_to_binary(Latin1))/binary>>),
        raw(legacy_atom_ext, <<131, 100, 0, 5, "hello">>),
        raw(legacy_atom_ext_latin1, <<131, 100, 0, 5, (list_to_binary(Latin1))/binary>>),
        raw(legacy_atom_ext_latin1_255, <<131, 100, 0, 255, (binary:copy(<<16#E9>>, 255))/binary>>),
        raw(legacy_atom_ext_empty, <<131, 100, 0, 0>>),
        raw(legacy_atom_utf8_ext_short, <<131, 118, 0, 3, "abc">>),
        %% Pids, references and ports
        raw(legacy_pid_ext_this_node, <<131, 103, Node/binary, Id:32, Serial:32, 3>>),
        raw(legacy_pid_ext_other, <<131, 103, Other/binary, 0, 0, 0, 42, 0, 0, 0, 1, 2>>),
        raw(legacy_pid_ext_creation_0, <<131, 103, Other/binary, 0, 0, 0, 42, 0, 0, 0, 0, 0>>),
        raw(legacy_new_pid_ext_atom_ext, <<131, 88, Other/binary, 0, 0, 0, 42, 0, 0, 0, 1, 0, 0, 0, 7>>),
        raw(legacy_reference_ext, <<131, 101, Other/binary, 0, 0, 0, 5, 2>>),
        raw(legacy_new_reference_ext, <<131, 114, 0, 3, Other/binary, 2, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3>>),
        raw(legacy_new_reference_ext_1, <<131, 114, 0, 1, Other/binary, 1, 0, 0, 0, 9>>),
        raw(newer_reference_ext_1_word, <<131, 90, 0, 1, OtherUtf8/binary, 0, 0, 0, 7, 0, 0, 0, 1>>),
        raw(newer_reference_ext_4_words, <<131, 90, 0, 4, OtherUtf8/binary, 0, 0, 0, 7, 1:32, 2:32, 3:32, 4:32>>),
        raw(newer_reference_ext_5_words, <<131, 90, 0, 5, OtherUtf8/binary, 0, 0, 0, 7, 1:32, 2:32, 3:32, 4:32, 5:32>>),
        raw(legacy_port_ext, <<131, 102, Other/binary, 0, 0, 0, 9, 2>>),
        raw(legacy_new_port_ext, <<131, 89, Other/binary, 0, 0, 0, 9, 0, 0, 0, 2>>),
        raw(v4_port_ext_32bit_id, <<131, 120, OtherUtf8/binary, 9:64, 2:32>>),
        raw(v4_port_ext_64bit_id, <<131, 120, OtherUtf8/binary, ((1 bsl 40) + 9):64, 2:32>>),
        raw(v4_port_ext_max_id, <<131, 120, OtherUtf8/binary, 16#FFFFFFFFFFFFFFFF:64, 2:32>>),
        raw(legacy_export_ext_atom_ext, <<131, 113, 100, 0, 5, "lists", 100, 0, 3, "map", 97, 2>>),
        %% Floats as FLOAT_EXT text
        raw(legacy_float_ext_short, float_ext("3.14")),
        raw(legacy_float_ext_neg_zero, float_ext("-0.00000000000000000000e+00")),
        raw(legacy_float_ext_exponent, float_ext("1.5e10")),
        raw(legacy_float_ext_upper_exponent, float_ext("1.0E+05")),
        raw(legacy_float_ext_plus_sign, float_ext("+3.14")),
        %% OTP accepts a decimal comma, and ignores what follows the first NUL.
        raw(legacy_float_ext_comma, float_ext("3,14")),
        raw(legacy_float_ext_junk_after_nul, float_ext([$3, $., $1, $4, 0, $j, $u, $n, $k])),
        %% Integers in wider encodings than needed
        raw(legacy_integer_ext_small, <<131, 98, 0, 0, 0, 5>>),
        raw(legacy_small_big_small, <<131, 110, 1, 0, 5>>),
        raw(legacy_small_big_neg_small, <<131, 110, 1, 1, 5>>),
        raw(legacy_small_big_zero, <<131, 110, 0, 0>>),
        raw(legacy_small_big_neg_zero, <<131, 110, 1, 1, 0>>),
        raw(legacy_small_big_int32, <<131, 110, 4, 1, 0, 0, 0, 128>>),
        raw(legacy_large_big_small, <<131, 111, 0, 0, 0, 2, 0, 1, 1>>),
        raw(legacy_large_big_2p64, <<131, 111, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1>>),
        raw(legacy_big_leading_zeros, <<131, 111, 0, 0, 0, 10, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0>>),
        raw(legacy_big_leading_zeros_wide, <<131, 110, 20, 1, 0, 0, 0, 0, 0, 0, 0, 0, 64, 0:(11 * 8)>>),
        %% Lists, binaries, tuples and maps in other shapes
        raw(legacy_list_ext_bytes, <<131, 108, 0, 0, 0, 3, 97, 1, 97, 2, 97, 3, 106>>),
        raw(legacy_list_ext_empty, <<131, 108, 0, 0, 0, 0, 106>>),
        raw(legacy_string_ext_empty, <<131, 107, 0, 0>>),
        raw(legacy_list_ext_list_tail, <<131, 108, 0, 0, 0, 1, 97, 1, 108, 0, 0, 0, 1, 97, 2, 106>>),
        raw(legacy_list_ext_string_tail, <<131, 108, 0, 0, 0, 1, 97, 1, 107, 0, 2, 2, 3>>),
        raw(legacy_bit_binary_8_bits, <<131, 77, 0, 0, 0, 3, 8, 1, 2, 3>>),
        raw(legacy_bit_binary_unused_bits_set, <<131, 77, 0, 0, 0, 2, 3, 255, 255>>),
        raw(legacy_bit_binary_empty, <<131, 77, 0, 0, 0, 0, 0>>),
        raw(legacy_large_tuple_small, <<131, 105, 0, 0, 0, 2, 97, 1, 97, 2>>),
        raw(legacy_map_atom_ext_keys, <<131, 116, 0, 0, 0, 2, 100, 0, 1, "a", 97, 1, 100, 0, 1, "b", 97, 2>>),
        %% OTP sorts a small map's keys when it decodes one; Colony keeps the wire order.
        {legacy_map_unsorted, equal, [], <<131, 116, 0, 0, 0, 2, 119, 1, "b", 97, 1, 119, 1, "a", 97, 2>>, none}
    ].

%% ---------------------------------------------------------------------------------------------
%% Input that OTP rejects: Colony must throw ETFError (and not crash).

drop_last(Bin) -> binary:part(Bin, 0, byte_size(Bin) - 1).

rejects() ->
    Ok = fun() -> ok end,
    FunBin = term_to_binary(fun() -> Ok end, ?V2),
    Compressed = term_to_binary(lists:seq(1, 1000), [compressed | ?V2]),
    <<131, 80, Size:32, Zlib/binary>> = Compressed,
    ZMiddle = byte_size(Zlib) div 2,
    <<ZBefore:ZMiddle/binary, ZByte, ZAfter/binary>> = Zlib,
    [
        rj(reject_empty, <<>>),
        rj(reject_version_only, <<131>>),
        rj(reject_bad_version, <<130, 97, 1>>),
        rj(reject_unknown_tag, <<131, 200>>),
        rj(reject_binary_length, <<131, 109, 0, 0, 0, 10, 1, 2, 3>>),
        rj(reject_binary_huge_length, <<131, 109, 255, 255, 255, 255, 1, 2, 3>>),
        rj(reject_string_length, <<131, 107, 0, 10, 1, 2>>),
        rj(reject_list_length, <<131, 108, 0, 0, 0, 5, 97, 1, 106>>),
        rj(reject_list_huge_length, <<131, 108, 255, 255, 255, 255, 97, 1, 106>>),
        rj(reject_list_missing_tail, <<131, 108, 0, 0, 0, 1, 97, 1>>),
        rj(reject_tuple_arity, <<131, 104, 3, 97, 1>>),
        rj(reject_large_tuple_huge_arity, <<131, 105, 255, 255, 255, 255, 97, 1>>),
        rj(reject_map_size, <<131, 116, 0, 0, 0, 2, 97, 1, 97, 2>>),
        rj(reject_map_huge_size, <<131, 116, 255, 255, 255, 255, 97, 1, 97, 2>>),
        rj(reject_map_duplicate_key, <<131, 116, 0, 0, 0, 2, 97, 1, 97, 1, 97, 1, 97, 2>>),
        rj(reject_atom_length, <<131, 119, 10, "abc">>),
        rj(reject_atom_ext_length, <<131, 100, 0, 10, "abc">>),
        rj(reject_atom_invalid_utf8, <<131, 119, 2, 255, 254>>),
        rj(reject_atom_256_chars, <<131, 118, 1, 0, (binary:copy(<<"a">>, 256))/binary>>),
        rj(reject_atom_ext_256_chars, <<131, 100, 1, 0, (binary:copy(<<"a">>, 256))/binary>>),
        rj(reject_small_big_length, <<131, 110, 10, 0, 1, 2>>),
        rj(reject_large_big_length, <<131, 111, 0, 0, 1, 0, 0, 1, 2>>),
        rj(reject_new_float_nan, <<131, 70, 127, 248, 0, 0, 0, 0, 0, 0>>),
        rj(reject_new_float_infinity, <<131, 70, 127, 240, 0, 0, 0, 0, 0, 0>>),
        rj(reject_new_float_truncated, <<131, 70, 64, 9, 30>>),
        rj(reject_float_ext_garbage, float_ext("abc")),
        rj(reject_float_ext_overflow, float_ext("1e999")),
        rj(reject_float_ext_nan, float_ext("nan")),
        rj(reject_float_ext_hex, float_ext("0x10")),
        rj(reject_float_ext_trailing_garbage, float_ext("3.0abc")),
        rj(reject_float_ext_truncated, <<131, 99, "3.14">>),
        rj(reject_float_ext_no_point, float_ext("3")),
        rj(reject_float_ext_leading_point, float_ext(".5")),
        rj(reject_float_ext_trailing_point, float_ext("3.")),
        rj(reject_float_ext_empty, float_ext("")),
        rj(reject_float_ext_leading_spaces, float_ext("  3.14")),
        rj(reject_float_ext_trailing_spaces, float_ext("3.0  ")),
        rj(reject_bit_binary_bits_9, <<131, 77, 0, 0, 0, 1, 9, 0>>),
        rj(reject_bit_binary_bits_0, <<131, 77, 0, 0, 0, 1, 0, 5>>),
        rj(reject_bit_binary_empty_bits_8, <<131, 77, 0, 0, 0, 0, 8>>),
        rj(reject_bit_binary_length, <<131, 77, 0, 0, 0, 5, 3, 1>>),
        rj(reject_pid_node_not_atom, <<131, 88, 97, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0>>),
        rj(reject_pid_truncated, drop_last(term_to_binary(self(), ?V2))),
        rj(reject_new_reference_6_words, <<131, 114, 0, 6, 119, 3, "a@b", 0, 0:192>>),
        rj(reject_newer_reference_6_words, <<131, 90, 0, 6, 119, 3, "a@b", 0:32, 0:192>>),
        rj(reject_export_arity_not_integer, <<131, 113, 119, 5, "lists", 119, 3, "map", 119, 1, "a">>),
        rj(reject_fun_truncated, drop_last(FunBin)),
        rj(reject_map_truncated, drop_last(term_to_binary(#{a => 1, b => [1, 2]}, ?V2))),
        rj(reject_big_truncated, drop_last(term_to_binary(1 bsl 3000, ?V2))),
        rj(reject_nested_truncated, drop_last(term_to_binary({[a, {b, <<"c">>}], "de"}, ?V2))),
        rj(reject_compressed_size_too_big, <<131, 80, (Size + 1):32, Zlib/binary>>),
        rj(reject_compressed_size_too_small, <<131, 80, (Size - 1):32, Zlib/binary>>),
        rj(reject_compressed_size_0, <<131, 80, 0:32, Zlib/binary>>),
        rj(reject_compressed_truncated, drop_last(drop_last(Compressed))),
        rj(reject_compressed_corrupt, <<131, 80, Size:32, ZBefore/binary, (ZByte bxor 16#55), ZAfter/binary>>),
        rj(reject_compressed_no_data, <<131, 80, Size:32>>)
    ].

%% Input that OTP accepts and Colony rejects on purpose.
stricter() ->
    [
        {stricter_trailing_bytes, stricter, [], <<131, 97, 1, 0>>, none},
        {stricter_deep_list_100000, stricter, [], term_to_binary(nest_list(100000), ?V2), none}
    ].

%% ---------------------------------------------------------------------------------------------
%% Terms that the Swift test builds and encodes itself (Swift -> OTP). Each is
%% {Name, Mode, Expected}: `exact` means Colony's bytes must equal term_to_binary(Expected,
%% [{minor_version, 2}]); `{zlib, L}` the same with {compressed, L}; `equal` only =:=.

%% Identifiers of a node named colony@127.0.0.1, built from the documented formats.
colony_node() -> utf8_atom_ext('colony@127.0.0.1').

colony_pid(Id, Serial, Creation) ->
    binary_to_term(<<131, 88, (colony_node())/binary, Id:32, Serial:32, Creation:32>>).

colony_ref(Creation, Words) ->
    binary_to_term(<<131, 90, (length(Words)):16, (colony_node())/binary, Creation:32, <<<<W:32>> || W <- Words>>/binary>>).

colony_port(Id, Creation) when Id < 1 bsl 32 ->
    binary_to_term(<<131, 89, (colony_node())/binary, Id:32, Creation:32>>);
colony_port(Id, Creation) ->
    binary_to_term(<<131, 120, (colony_node())/binary, Id:64, Creation:32>>).

swift_cases() ->
    Hello = list_to_atom([$h, 16#E9, $l, $l, $o]),
    Nihon = list_to_atom([16#65E5, 16#672C]),
    MapPairs = [{name, <<"Ada">>}, {1, one}, {<<"k">>, [1, 2]}, {{t, 1}, 2.5}, {[], nil}, {-7, neg}],
    [
        {swift_atoms, exact, {ok, Hello, Nihon, '', list_to_atom(lists:duplicate(255, 16#E9)), 'colony@127.0.0.1'}},
        {swift_integers, exact, [
            0, 255, 256, -1, -2147483648, 2147483647, 1 bsl 31, (1 bsl 63) - 1, -(1 bsl 63),
            1 bsl 100, -(1 bsl 100), (1 bsl 2048) - 1, -((1 bsl 2400) - 1)
        ]},
        {swift_floats, exact, [0.0, neg_zero(), 1.0e300, -1.0e-300, 5.0e-324, 3.14, 1.7976931348623157e308]},
        {swift_binaries, exact, [<<>>, <<"h", 16#C3, 16#A9, "llo">>, pattern(300), <<5:3>>, <<1, 2, 3:7>>]},
        {swift_strings, exact, ["abc", [16#65E5, 16#672C, 16#8A9E], lists:duplicate(65535, 7), lists:duplicate(65536, 7)]},
        {swift_lists, exact, [[], [1 | 2], [a, b | c], [1, [2, [3, []]]], [<<"x">>, 1.5, -300]]},
        {swift_tuples, exact, {{}, list_to_tuple(lists:seq(1, 300)), {nested, {deeper, {deepest}}}}},
        {swift_map_sorted, exact, maps:from_list(MapPairs)},
        {swift_map_insertion_order, equal, maps:from_list(MapPairs)},
        {swift_map_large, equal, maps:from_list([{I, integer_to_binary(I)} || I <- lists:seq(1, 100)])},
        {swift_identifiers, exact, {
            colony_pid(5, 1, 16#12345678),
            colony_ref(16#12345678, [1, 2, 3]),
            colony_ref(16#12345678, [10, 20, 30, 40, 50]),
            colony_port(9, 16#12345678),
            colony_port((1 bsl 40) + 9, 16#12345678)
        }},
        {swift_export_fun, exact, fun lists:map/2},
        {swift_deep_nesting, exact, nest_mixed(300)},
        {swift_compressed, {zlib, 6}, {lists:seq(1, 5000), lists:duplicate(1000, hello)}}
    ].

%% ---------------------------------------------------------------------------------------------
%% verify

verify(Dir) ->
    {ok, Manifest} = file:read_file(filename:join(Dir, "manifest.txt")),
    Entries = [
        begin
            [Name, Mode | _Flags] = string:lexemes(Line, " "),
            {binary_to_atom(Name, utf8), binary_to_atom(Mode, utf8)}
        end
     || Line <- binary:split(Manifest, <<"\n">>, [global, trim_all])
    ],
    CorpusResults = [{Name, verify_case(Dir, Name, Mode)} || {Name, Mode} <- Entries],
    SwiftResults = [{Name, verify_swift(Dir, Name, Mode, Term)} || {Name, Mode, Term} <- swift_cases()],
    Results = CorpusResults ++ SwiftResults,
    Lines = [result_line(Name, Result) || {Name, Result} <- Results],
    Text = [Lines, io_lib:format("TOTAL ~b~n", [length(Results)])],
    ok = file:write_file(filename:join(Dir, "results.txt"), Text),
    Failed = [Name || {Name, Result} <- Results, Result =/= ok],
    io:format("etf_corpus: verified ~b cases, ~b failed~n", [length(Results), length(Failed)]),
    ok.

result_line(Name, ok) ->
    io_lib:format("RESULT ~s OK~n", [Name]);
result_line(Name, {fail, Reason}) ->
    Text = lists:flatten(io_lib:format("~0P", [Reason, 30])),
    io_lib:format("RESULT ~s FAIL ~ts~n", [Name, [C || C <- Text, C =/= $\n]]).

decode(Bin) ->
    try
        {ok, binary_to_term(Bin)}
    catch
        error:badarg -> rejected
    end.

read(Dir, Name, Suffix) ->
    case file:read_file(path(Dir, Name, Suffix)) of
        {ok, Bin} -> Bin;
        {error, Reason} -> throw({fail, {cannot_read, atom_to_list(Name) ++ Suffix, Reason}})
    end.

verify_case(Dir, Name, Mode) ->
    try
        verify_case1(Dir, Name, Mode)
    catch
        throw:{fail, _} = Failure -> Failure;
        Class:Reason -> {fail, {Class, Reason}}
    end.

verify_case1(Dir, Name, reject) ->
    case decode(read(Dir, Name, ".bin")) of
        rejected -> ok;
        {ok, Term} -> {fail, {otp_accepts, Term}}
    end;
verify_case1(Dir, Name, stricter) ->
    case decode(read(Dir, Name, ".bin")) of
        rejected -> {fail, otp_rejects};
        {ok, _} -> ok
    end;
verify_case1(Dir, Name, Mode) ->
    {ok, Original} = decode(read(Dir, Name, ".bin")),
    Expected = read(Dir, Name, ".expected.bin"),
    Colony = read(Dir, Name, ".colony.bin"),
    compare(Mode, Original, Expected, Colony).

%% Original: the term this node decoded from OTP's bytes; Expected: OTP's canonical bytes for it,
%% from the writing node; Colony: Colony's encoding.
compare(Mode, Original, Expected, Colony) ->
    case decode(Colony) of
        rejected ->
            {fail, {otp_rejects_colony_bytes, first_difference(Expected, Colony)}};
        {ok, Decoded} when Decoded =/= Original ->
            {fail, {not_equal, Decoded}};
        {ok, _} when Mode =:= exact, Colony =/= Expected ->
            {fail, {not_byte_exact, first_difference(Expected, Colony)}};
        {ok, Decoded} ->
            %% =:= cannot tell 0.0 from -0.0 in OTP 25; OTP's own encoding can. Both sides are
            %% encoded here, on one node: the order of a map of more than 32 keys follows the
            %% node's atom table, so bytes from the writing node may list it differently.
            Reencoded = term_to_binary(Decoded, ?V2),
            case term_to_binary(Original, ?V2) of
                Reencoded -> ok;
                Other -> {fail, {reencodes_differently, first_difference(Other, Reencoded)}}
            end
    end.

verify_swift(Dir, Name, Mode, Term) ->
    try
        Colony = read(Dir, Name, ".colony.bin"),
        case Mode of
            {zlib, Level} ->
                case term_to_binary(Term, [{compressed, Level} | ?V2]) of
                    Colony -> compare(equal, Term, term_to_binary(Term, ?V2), Colony);
                    OtpBytes -> {fail, {not_byte_exact_compressed, first_difference(OtpBytes, Colony)}}
                end;
            _ ->
                compare(Mode, Term, term_to_binary(Term, ?V2), Colony)
        end
    catch
        throw:{fail, _} = Failure -> Failure;
        Class:Reason -> {fail, {Class, Reason}}
    end.

%% Where two byte strings first differ, with a few bytes of context from each.
first_difference(Otp, Colony) ->
    Offset = common_prefix(Otp, Colony, 0),
    Window = fun(Bin) ->
        Start = max(0, Offset - 8),
        binary_to_list(binary:part(Bin, Start, min(byte_size(Bin) - Start, 24)))
    end,
    #{
        offset => Offset,
        otp_size => byte_size(Otp),
        colony_size => byte_size(Colony),
        otp_bytes_from => {max(0, Offset - 8), Window(Otp)},
        colony_bytes_from => {max(0, Offset - 8), Window(Colony)}
    }.

common_prefix(<<A, RestA/binary>>, <<A, RestB/binary>>, N) -> common_prefix(RestA, RestB, N + 1);
common_prefix(_, _, N) -> N.
