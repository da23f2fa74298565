import ColonyTestSupport

/// The Elixir side of the store history test: clients that call `colony_store` on the Colony
/// nodes through `:rpc.call` and print each operation with its outcome and monotonic times.
enum StoreElixirHistory {
    /// `COLONY_NODES` (comma-separated) are the store's nodes; `CLIENTS` clients run for
    /// `DURATION_MS`. Lines: `OP Key Kind Arg Expected Outcome CallUs RetUs`, then `DONE`.
    static let script = #"""
        nodes = System.get_env("COLONY_NODES") |> String.split(",") |> Enum.map(&String.to_atom/1)
        clients = String.to_integer(System.get_env("CLIENTS"))
        duration = String.to_integer(System.get_env("DURATION_MS"))
        Enum.each(nodes, &Node.connect/1)
        # Wait (bounded) until the store answers on every node.
        Enum.reduce_while(1..150, nil, fn _, _ ->
          if Enum.all?(nodes, fn n -> is_list(:rpc.call(n, :colony_store, :keys, ["jepsen"], 2000)) end),
            do: {:halt, :ok}, else: (Process.sleep(200); {:cont, nil})
        end)
        IO.puts("READY")
        keys = ["e0", "e1"]
        table = "jepsen"
        stop_at = System.monotonic_time(:millisecond) + duration
        fmt = fn nil -> "nil"; v -> Integer.to_string(v) end
        now = fn -> System.monotonic_time(:microsecond) end
        client = fn id ->
          :rand.seed(:exsss, {id, 7, 11})
          Stream.iterate(0, &(&1 + 1))
          |> Enum.reduce_while(%{}, fn n, seen ->
            if System.monotonic_time(:millisecond) > stop_at do
              {:halt, seen}
            else
              key = Enum.random(keys)
              node = Enum.random(nodes)
              value = id * 1_000_000 + n
              call = now.()
              case :rand.uniform(3) do
                1 ->
                  case :rpc.call(node, :colony_store, :get, [table, key], 3000) do
                    :not_found ->
                      IO.puts("OP #{key} read - - v:nil #{call} #{now.()}")
                      {:cont, Map.put(seen, key, nil)}
                    {:ok, v} ->
                      IO.puts("OP #{key} read - - v:#{v} #{call} #{now.()}")
                      {:cont, Map.put(seen, key, v)}
                    _ -> {:cont, seen}
                  end
                2 ->
                  case :rpc.call(node, :colony_store, :put, [table, key, value], 3000) do
                    :ok -> IO.puts("OP #{key} write #{value} - ok #{call} #{now.()}")
                    _ -> IO.puts("OP #{key} write #{value} - unknown #{call} inf")
                  end
                  {:cont, seen}
                3 ->
                  expected = Map.get(seen, key)
                  arg = if expected == nil, do: :not_found, else: expected
                  case :rpc.call(node, :colony_store, :cas, [table, key, arg, value], 3000) do
                    :ok ->
                      IO.puts("OP #{key} cas #{value} #{fmt.(expected)} ok #{call} #{now.()}")
                    {:error, {:mismatch, :not_found}} ->
                      IO.puts("OP #{key} cas #{value} #{fmt.(expected)} mm:nil #{call} #{now.()}")
                    {:error, {:mismatch, current}} ->
                      IO.puts("OP #{key} cas #{value} #{fmt.(expected)} mm:#{current} #{call} #{now.()}")
                    _ ->
                      IO.puts("OP #{key} cas #{value} #{fmt.(expected)} unknown #{call} inf")
                  end
                  {:cont, seen}
              end
            end
          end)
        end
        1..clients
        |> Enum.map(fn id -> Task.async(fn -> client.(id) end) end)
        |> Enum.each(&Task.await(&1, :infinity))
        # A final read of each key, retried until the (healed) cluster answers.
        Enum.each(keys, fn key ->
          Enum.reduce_while(1..60, nil, fn attempt, _ ->
            node = Enum.at(nodes, rem(attempt, length(nodes)))
            call = now.()
            case :rpc.call(node, :colony_store, :get, [table, key], 3000) do
              :not_found -> IO.puts("OP #{key} read - - v:nil #{call} #{now.()}"); {:halt, :ok}
              {:ok, v} -> IO.puts("OP #{key} read - - v:#{v} #{call} #{now.()}"); {:halt, :ok}
              _ -> Process.sleep(300); {:cont, nil}
            end
          end)
        end)
        IO.puts("DONE")
        """#

    typealias Op = HistoryOperation<RegisterModel.Input, RegisterModel.Output>

    /// The operations of the script's output, by key.
    static func parse(_ output: String) -> [String: [Op]] {
        func value(_ text: Substring) -> Int? { text == "nil" ? nil : Int(text) }
        var history: [String: [Op]] = [:]
        for line in output.split(separator: "\n") where line.hasPrefix("OP ") {
            let fields = line.split(separator: " ")
            guard fields.count == 8, let call = Int(fields[6]) else { continue }
            let ret = Int(fields[7])
            let input: RegisterModel.Input
            switch fields[2] {
            case "read": input = .read
            case "write": input = .write(Int(fields[3]) ?? 0)
            default: input = .compareAndSet(expected: value(fields[4]), new: Int(fields[3]) ?? 0)
            }
            let outcome = fields[5]
            let output: RegisterModel.Output? =
                if outcome == "ok" {
                    .ok
                } else if outcome.hasPrefix("v:") {
                    .value(value(outcome.dropFirst(2)))
                } else if outcome.hasPrefix("mm:") {
                    .mismatch(current: value(outcome.dropFirst(3)))
                } else {
                    nil
                }
            history[String(fields[1]), default: []].append(
                Op(input: input, output: output, call: .microseconds(call), ret: ret.map { .microseconds($0) }))
        }
        return history
    }
}
