/// The Elixir member of the demo (`colony demo --elixir`): the same `echo` process and `demo`
/// module as a Colony member, written in Elixir, so the messaging and rpc scenarios cross runtimes.
public enum DemoElixir {
    /// The node's name.
    public static let name = "demo_ex@127.0.0.1"

    /// The script the node runs (`elixir --name … script.exs`). It prints `ready` once `echo` is
    /// registered and halts when the process named in `COLONY_DEMO_PARENT` is gone.
    public static let script = """
        defmodule :demo do
          def square(n), do: n * n

          def slow_square(n, ms) do
            Process.sleep(ms)
            n * n
          end

          def whereis(name), do: Process.whereis(name) || :undefined
        end

        defmodule DemoEcho do
          def loop do
            receive do
              {from, message} when is_pid(from) -> send(from, {self(), message})
              _ -> :ok
            end

            loop()
          end
        end

        Process.register(spawn(&DemoEcho.loop/0), :echo)
        IO.puts("ready #{node()}")
        parent = System.get_env("COLONY_DEMO_PARENT")

        watch = fn watch ->
          Process.sleep(500)
          if parent && !File.exists?("/proc/#{parent}"), do: System.halt(0)
          watch.(watch)
        end

        watch.(watch)
        """
}
