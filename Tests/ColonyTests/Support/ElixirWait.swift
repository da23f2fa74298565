/// Elixir shared by the namespace tests' driver scripts.
enum ElixirWait {
    /// `until(f, n \\ 900)`: calls `f` every 100 ms until it is true (`:ok`) or `n` tries have
    /// passed (`:timeout`). Goes inside a `defmodule`.
    static let until = #"""
          def until(f, n \\ 900) do
            cond do
              f.() -> :ok
              n == 0 -> :timeout
              true -> Process.sleep(100); until(f, n - 1)
            end
          end
        """#
}
