using System.Text;
using System.Text.Json;
using Images.Builder.Parsing;
using Images.Runtime;

namespace Images.Builder.Engine;

internal sealed partial class BuildRun
{
    /// <summary>
    /// RUN: the command (shell form through the stage's SHELL, exec form as written, heredocs as Docker runs them)
    /// in a rw layer through the process runtime, with the stage's env plus the build args in scope (as Docker
    /// passes them, not kept in the image), its user and workdir, host network. A non-zero exit fails the build
    /// with that code.
    /// </summary>
    private void RunStep(StageState state, RunInstruction run)
    {
        var args = CommandOf(state, run);
        var env = state.Environment();
        var buildArgs = state.Args.Where(a => a.Value is not null && !env.ContainsKey(a.Key))
            .OrderBy(a => a.Key, StringComparer.Ordinal).ToList();
        var processEnv = (state.Config.Env ?? []).Concat(buildArgs.Select(a => $"{a.Key}={a.Value}")).ToList();

        string command = string.Join(" ", args);
        // Docker's classic history form: the build args the command saw, then the command.
        string createdBy = buildArgs.Count == 0 ? command
            : $"|{buildArgs.Count} {string.Join(" ", buildArgs.Select(a => $"{a.Key}={a.Value}"))} {command}";
        var key = CacheKeys.For(state.Top, state.Config, "RUN " + JsonSerializer.Serialize(args), buildArgs, []);

        FilesystemStep(state, key, createdBy, root =>
        {
            var spec = new ProcessSpec
            {
                Args = args,
                Env = processEnv,
                WorkingDir = state.WorkingDir,
                User = string.IsNullOrEmpty(state.Config.User) ? null : state.Config.User,
                Network = NetworkMode.Host,
            };
            int code;
            using (var output = _log.OpenOutputStream())
                code = ProcessRuntimes.Open(_options.Runtime).Run(root, spec, ProcessIo.Pipes(null, output, output), _cancel);
            if (code != 0)
                throw new BuildException($"The command '{command}' returned a non-zero code: {code}", code);
        });
    }

    /// <summary>
    /// The argv of a RUN. A shell-form command that is only a heredoc (<c>RUN &lt;&lt;EOF</c>) runs the heredoc as the
    /// script; other heredocs stay in the text the shell reads, which handles them itself.
    /// </summary>
    private static List<string> CommandOf(StageState state, RunInstruction run)
    {
        if (!run.Command.IsShellForm) return [.. run.Command.Arguments];
        string text = run.Command.ShellText!;
        if (run.Heredocs.Count == 0) return [.. state.Shell, text];
        if (run.Heredocs.Count == 1 && text.Trim() == run.Heredocs[0].Marker)
        {
            string script = run.Heredocs[0].Content;
            // A script with its own interpreter line is run by that interpreter, as BuildKit does.
            if (script.StartsWith("#!", StringComparison.Ordinal))
            {
                var interpreter = script[2..script.IndexOf('\n')].Trim().Split(' ', 2, StringSplitOptions.RemoveEmptyEntries);
                return [.. interpreter, "-c", script[(script.IndexOf('\n') + 1)..]];
            }
            return [.. state.Shell, script];
        }
        var full = new StringBuilder(text);
        foreach (var heredoc in run.Heredocs)
            full.Append('\n').Append(heredoc.Content).Append(heredoc.Name);
        return [.. state.Shell, full.ToString()];
    }
}
