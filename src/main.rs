fn main() {
    std::process::exit(snngen::cli::main_with_args(std::env::args_os()));
}
