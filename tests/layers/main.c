/* main.c - the empty program each layer_LIB links a whole library into
 * (tests/layers/CMakeLists.txt): linking is the test. */
int main(void)
{
	return 0;
}
